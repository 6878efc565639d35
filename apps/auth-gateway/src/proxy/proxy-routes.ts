import type { AuthzContext, RbacPolicy } from '@vigil/auth';

/** The services behind the proxy: `/api/<service>/<path>` goes to `<upstream of service>/<path>`. */
export const PROXIED_SERVICES = ['vault', 'compliance-detector', 'alerter', 'audit-writer', 'reporter'] as const;
export type ProxiedService = (typeof PROXIED_SERVICES)[number];

export interface ProxyRoute {
  service: ProxiedService;
  method: string;
  /** The service's own path: `:name` is one segment, `*rest` one or more. */
  pattern: string;
  /** What the edge checks (the service checks it again). */
  permission: string;
  /**
   * Facts from the JSON body the policy needs (a silence's duration). Such a route's body is
   * read whole (up to MAX_CONTEXT_BODY) before the decision and then forwarded as read.
   */
  bodyContext?: (body: unknown) => Omit<AuthzContext, 'now'>;
}

/** A silence's length from its body, as the alerter computes it (unknown: the policy asks for step-up). */
function silenceDuration(body: unknown): Omit<AuthzContext, 'now'> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { startsAt?: unknown; endsAt?: unknown };
  const end = typeof fields.endsAt === 'string' ? Date.parse(fields.endsAt) : NaN;
  const start = typeof fields.startsAt === 'string' ? Date.parse(fields.startsAt) : Date.now();
  return Number.isFinite(end) && Number.isFinite(start) ? { durationSec: Math.max(0, (end - start) / 1000) } : {};
}

const route = (service: ProxiedService, spec: string, permission: string, bodyContext?: ProxyRoute['bodyContext']): ProxyRoute => {
  const [method, pattern] = spec.split(' ');
  return { service, method, pattern, permission, ...(bodyContext ? { bodyContext } : {}) };
};

/**
 * Every route the gateway forwards, with the permission each service's own guard asks for.
 * Anything else under /api/ is refused at the edge (404, audited): a new service route is
 * reachable from outside only once it is listed here.
 */
export const PROXY_ROUTES: readonly ProxyRoute[] = [
  // vault (apps/vault/src/http)
  route('vault', 'GET /v1/secrets/data/*path', 'secrets:read'),
  route('vault', 'PUT /v1/secrets/data/*path', 'secrets:write'),
  route('vault', 'DELETE /v1/secrets/data/*path', 'secrets:delete'),
  route('vault', 'POST /v1/secrets/undelete/*path', 'secrets:write'),
  route('vault', 'POST /v1/secrets/destroy/*path', 'secrets:delete'),
  route('vault', 'GET /v1/secrets/metadata/*path', 'secrets:read'),
  route('vault', 'GET /v1/secrets/list', 'secrets:read'),
  route('vault', 'POST /v1/transit/keys/:name', 'keys:rotate'),
  route('vault', 'GET /v1/transit/keys/:name', 'keys:read'),
  route('vault', 'POST /v1/transit/keys/:name/rotate', 'keys:rotate'),
  route('vault', 'PATCH /v1/transit/keys/:name/config', 'keys:rotate'),
  route('vault', 'POST /v1/transit/encrypt/:name', 'transit:encrypt'),
  route('vault', 'POST /v1/transit/decrypt/:name', 'transit:decrypt'),
  route('vault', 'POST /v1/transit/rewrap/:name', 'keys:rotate'),
  // The vault answers it unauthenticated inside; from outside it is operational status.
  route('vault', 'GET /v1/sys/seal-status', 'metrics:read'),
  route('vault', 'POST /v1/sys/keyring/rotate', 'keys:rotate'),
  route('vault', 'POST /v1/sys/keyring/rekey', 'keys:rotate'),
  // A lease's holder may renew or revoke it with secrets:read; anyone else needs secrets:rotate,
  // which only the vault can tell (it knows the holder): the edge asks for the lesser.
  route('vault', 'POST /v1/sys/leases/renew', 'secrets:read'),
  route('vault', 'POST /v1/sys/leases/revoke', 'secrets:read'),
  route('vault', 'POST /v1/sys/leases/revoke-prefix/*path', 'secrets:rotate'),
  // alerter (apps/alerter/src/api); its Alertmanager webhook is internal and not proxied.
  route('alerter', 'GET /api/alerts', 'alerts:read'),
  route('alerter', 'GET /api/incidents', 'incidents:read'),
  route('alerter', 'GET /api/incidents/:id', 'incidents:read'),
  route('alerter', 'POST /api/incidents/:id/acknowledge', 'incidents:acknowledge'),
  route('alerter', 'POST /api/incidents/:id/escalate', 'incidents:escalate'),
  route('alerter', 'POST /api/incidents/:id/assign', 'incidents:assign'),
  route('alerter', 'POST /api/incidents/:id/notes', 'incidents:note'),
  route('alerter', 'POST /api/incidents/:id/resolve', 'incidents:resolve'),
  // Mitigations: the alerter calls the gateway's admin API or the vault with the same token.
  route('alerter', 'POST /api/incidents/:id/actions/lock-account', 'users:write'),
  route('alerter', 'POST /api/incidents/:id/actions/revoke-sessions', 'sessions:revoke'),
  route('alerter', 'POST /api/incidents/:id/actions/rotate-key', 'keys:rotate'),
  route('alerter', 'GET /api/silences', 'silences:read'),
  route('alerter', 'GET /api/silences/:id', 'silences:read'),
  route('alerter', 'POST /api/silences', 'silences:write', silenceDuration),
  route('alerter', 'PUT /api/silences/:id', 'silences:write', silenceDuration),
  route('alerter', 'DELETE /api/silences/:id', 'silences:write', () => ({ durationSec: 0 })),
  // audit-writer (apps/audit-writer/src/api)
  route('audit-writer', 'GET /v1/logs', 'audit:read'),
  route('audit-writer', 'GET /v1/logs/:logId/checkpoint', 'audit:read'),
  route('audit-writer', 'GET /v1/logs/:logId/entries/:seq', 'audit:read'),
  route('audit-writer', 'GET /v1/logs/:logId/proofs/inclusion', 'audit:read'),
  route('audit-writer', 'GET /v1/logs/:logId/proofs/consistency', 'audit:read'),
  route('audit-writer', 'GET /v1/logs/:logId/export', 'audit:export'),
  // compliance-detector (apps/compliance-detector/src/rules-api)
  route('compliance-detector', 'GET /api/rules', 'rules:read'),
  route('compliance-detector', 'GET /api/rules/:id', 'rules:read'),
  route('compliance-detector', 'PUT /api/rules/:id', 'rules:write'),
  route('compliance-detector', 'PATCH /api/rules/:id', 'rules:write'),
  // reporter: no HTTP API yet.
];

interface CompiledRoute extends ProxyRoute {
  regex: RegExp;
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function compile(pattern: string): RegExp {
  const parts = pattern
    .split('/')
    .slice(1)
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.startsWith('*') ? '[^/]+(?:/[^/]+)*' : escape(segment)));
  return new RegExp(`^/${parts.join('/')}/?$`);
}

/** Finds the route of a request; checks at construction that every permission exists in the policy. */
export class ProxyRouter {
  private readonly routes: Map<ProxiedService, CompiledRoute[]>;

  constructor(routes: readonly ProxyRoute[], policy: RbacPolicy) {
    const unknown = routes.filter((r) => !policy.permissions.includes(r.permission));
    if (unknown.length > 0) {
      throw new Error(`proxy routes: ${unknown.map((r) => `${r.service} ${r.method} ${r.pattern} asks for ${r.permission}`).join('; ')}, not in the policy catalogue`);
    }
    this.routes = new Map(PROXIED_SERVICES.map((s) => [s, routes.filter((r) => r.service === s).map((r) => ({ ...r, regex: compile(r.pattern) }))]));
  }

  isService(name: string): name is ProxiedService {
    return this.routes.has(name as ProxiedService);
  }

  /** The route for a method and a path of the service (no query), or undefined. */
  match(service: ProxiedService, method: string, path: string): ProxyRoute | undefined {
    // HEAD is a GET without the body, as in the services (Express).
    const wanted = method === 'HEAD' ? 'GET' : method;
    return this.routes.get(service)?.find((r) => r.method === wanted && r.regex.test(path));
  }
}
