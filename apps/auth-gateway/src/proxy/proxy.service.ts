import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AuthError, bearerToken, decisionEvent, RBAC_POLICY, type AuthzOutcome, type Principal, type RbacPolicy } from '@vigil/auth';
import { describeError } from '@vigil/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@vigil/service';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AuditRecorder, SERVICE } from '../audit/audit-recorder';
import type { AuthGatewayConfig } from '../auth-gateway.config';
import { SessionGate } from '../sessions/session-gate';
import { SigningKeysService } from '../tokens/signing-keys.service';
import { RateLimiter, type RateScope } from '../rate-limit/rate-limiter';
import { PROXY_ROUTES, ProxyRouter, type ProxiedService, type ProxyRoute } from './proxy-routes';
import { ProxyMetrics, type ProxyOutcome } from './proxy.metrics';
import { UpstreamFailure, UpstreamForwarder } from './upstream-forwarder';

/** Largest body read whole to decide (routes whose decision depends on the body). */
export const MAX_CONTEXT_BODY = 64 * 1024;
const PREFIX = '/api/';

export const isProxiedPath = (url: string | undefined) => url !== undefined && url.startsWith(PREFIX);

/** An answer the proxy gives itself (not the upstream's). */
class EdgeAnswer {
  constructor(
    readonly outcome: ProxyOutcome,
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * `/api/<service>/<path>` → `<upstream>/<path>`. For each request, in order: find the route
 * (404 if the gateway forwards no such route), rate-limit by address, verify the bearer token,
 * check its session is still live, rate-limit by principal, authorize the route's permission
 * with step-up, audit the decision (fail closed), then forward with the caller's Authorization
 * header and the request id. The services check the token and the permission again.
 */
@Injectable()
export class ProxyService implements OnApplicationShutdown {
  private readonly router: ProxyRouter;
  private readonly forwarder: UpstreamForwarder;

  constructor(
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
    @Inject(SERVICE_CONFIG) private readonly config: AuthGatewayConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditRecorder,
    private readonly sessions: SessionGate,
    private readonly limiter: RateLimiter,
    private readonly metrics: ProxyMetrics,
  ) {
    this.router = new ProxyRouter(PROXY_ROUTES, policy);
    this.forwarder = new UpstreamForwarder(
      {
        vault: config.VIGIL_UPSTREAM_VAULT_URL,
        'compliance-detector': config.VIGIL_UPSTREAM_COMPLIANCE_DETECTOR_URL,
        alerter: config.VIGIL_UPSTREAM_ALERTER_URL,
        'audit-writer': config.VIGIL_UPSTREAM_AUDIT_WRITER_URL,
        reporter: config.VIGIL_UPSTREAM_REPORTER_URL,
      },
      config.VIGIL_PROXY_TIMEOUT,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.forwarder.close();
  }

  /** Handles one request under /api/ (never throws: every failure is an answer). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    const clientIp = clientIpOf(req);
    res.setHeader('x-request-id', requestId);
    const [pathname, query] = splitUrl(req.url ?? '/');
    const [, serviceName = '', ...rest] = pathname.slice(1).split('/');
    const service = this.router.isService(serviceName) ? serviceName : undefined;
    const servicePath = `/${rest.join('/')}`;
    const label = service ?? 'unknown';
    let outcome: ProxyOutcome = 'forwarded';
    try {
      if (!service) throw new EdgeAnswer('no_route', 404, { error: 'not_found', message: `no service "${serviceName}" behind /api/ (known: ${PROXY_ROUTES.map((r) => r.service).filter((s, i, all) => all.indexOf(s) === i).join(', ')})` });
      await this.decide(req, { service, servicePath, pathname, clientIp, requestId }).then(async ({ body }) => {
        await this.forwarder.forward({ service, req, res, pathWithQuery: `${servicePath}${query}`, requestId, clientIp, body });
      });
    } catch (error) {
      const answer = this.answerFor(error, label, req);
      if (answer) {
        outcome = answer.outcome;
        if (!res.headersSent) {
          for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
          res.statusCode = answer.status;
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.setHeader('cache-control', 'no-store');
          res.end(JSON.stringify(answer.body));
        } else {
          res.destroy();
        }
      } else {
        outcome = 'upstream_unavailable';
        res.destroy();
      }
      // Unread request bodies would otherwise keep the connection busy.
      if (!req.complete) req.resume();
    }
    this.metrics.requests.inc({ service: label, outcome });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.duration.observe({ service: label, status_class: `${Math.floor(res.statusCode / 100)}xx` }, seconds);
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    if (this.logger.isLevelEnabled(level)) {
      this.logger[level]({ req: { id: requestId, method: req.method, path: pathname }, res: { statusCode: res.statusCode }, service: label, outcome, responseTime: Math.round(seconds * 1000) }, 'proxied request');
    }
  }

  private async decide(
    req: IncomingMessage,
    { service, servicePath, pathname, clientIp, requestId }: { service: ProxiedService; servicePath: string; pathname: string; clientIp: string; requestId: string },
  ): Promise<{ body?: Buffer }> {
    const route = this.router.match(service, req.method ?? 'GET', servicePath);
    const resource = `route:${req.method} ${pathname}`;
    const verified = await this.authenticate(req, clientIp);
    if (verified instanceof AuthError) {
      await this.record({ outcome: { kind: 'unauthenticated', error: verified }, permission: route?.permission ?? 'none:none', resource, clientIp, requestId });
      throw verified;
    }
    const principal = verified;
    if (!route) {
      const decision = { allowed: false, permission: 'none:none', reason: `the gateway forwards no ${req.method} ${servicePath} to ${service}` } as const;
      await this.record({ outcome: { kind: 'denied', principal, decision }, permission: 'none:none', resource, clientIp, requestId });
      throw new EdgeAnswer('no_route', 404, { error: 'not_found', message: `the gateway forwards no ${req.method} ${servicePath} to ${service}` });
    }
    const body = route.bodyContext ? await readBody(req) : undefined;
    const context = route.bodyContext ? route.bodyContext(parseJson(body)) : {};
    const decision = this.policy.authorize(principal, route.permission, { ...context, now: Date.now() });
    const outcome: AuthzOutcome = { kind: decision.allowed ? 'allowed' : 'denied', principal, decision };
    await this.record({ outcome, permission: route.permission, resource, clientIp, requestId });
    if (decision.allowed) return { body };
    if (decision.stepUpRequired) {
      const maxAge = decision.stepUpMaxAgeSec ?? this.policy.stepUpMaxAgeSec;
      throw new EdgeAnswer(
        'step_up_required',
        401,
        { error: 'step_up_required', message: `${decision.permission} is a sensitive action: verify a one-time code (MFA) and retry with the new token; it must be at most ${maxAge} s old`, permission: decision.permission, maxAgeSec: maxAge },
        { 'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="step-up MFA required", max_age=${maxAge}` },
      );
    }
    throw new EdgeAnswer('denied', 403, { error: 'forbidden', message: `your roles do not grant ${decision.permission}`, permission: decision.permission });
  }

  /**
   * The verified caller whose session is live, or the AuthError that refuses it; 429 when a
   * bucket is empty. Redis is asked once for a token already verified (both buckets and the
   * session mark together); a token not verified yet first takes from the address's bucket
   * alone, so that a flood of new or bogus tokens is limited before any signature is checked.
   */
  private async authenticate(req: IncomingMessage, clientIp: string): Promise<Principal | AuthError> {
    const ipCheck = ['proxy_ip', clientIp] as const;
    const token = bearerToken(req.headers.authorization);
    if (token instanceof AuthError) {
      await this.limit([ipCheck]);
      return token;
    }
    const verifier = await this.keys.verifier(this.config.VIGIL_AUTH_ISSUER, SERVICE).catch(() => {
      throw new EdgeAnswer('auth_unavailable', 503, { error: 'auth_unavailable', message: 'the token signing keys could not be loaded; retry later' });
    });
    const known = verifier.isCached(token);
    if (!known) await this.limit([ipCheck]);
    let principal: Principal;
    try {
      principal = await verifier.verify(token);
    } catch (error) {
      if (error instanceof AuthError && error.code !== 'KEYS_UNAVAILABLE') return error;
      throw new EdgeAnswer('auth_unavailable', 503, { error: 'auth_unavailable', message: 'the token signing keys could not be loaded; retry later' });
    }
    const revocationKey = this.sessions.revocationKey(principal);
    if (revocationKey instanceof AuthError) return revocationKey;
    const principalCheck = ['proxy_principal', `${principal.type}:${principal.id}`] as const;
    const revoked = await this.limit(known ? [ipCheck, principalCheck] : [principalCheck], revocationKey);
    const refusal = await this.sessions.refusalAfterRedis(principal, revoked).catch((error: unknown) => {
      this.logger.error({ err: error }, `session check failed: ${describeError(error)}`);
      throw new EdgeAnswer('auth_unavailable', 503, { error: 'auth_unavailable', message: 'the session could not be checked; retry later' });
    });
    return refusal ?? principal;
  }

  /** Takes from the buckets (429 when one is empty); whether `revocationKey` is set. */
  private async limit(checks: ReadonlyArray<readonly [RateScope, string]>, revocationKey?: string): Promise<boolean> {
    const verdict = await this.limiter.takeAll(checks, revocationKey).catch((error: unknown) => {
      this.logger.error({ err: error }, `rate limiter failed: ${describeError(error)}`);
      throw new EdgeAnswer('auth_unavailable', 503, { error: 'auth_unavailable', message: 'the rate limiter could not be reached; retry later' });
    });
    if (verdict.allowed) return verdict.refused;
    const { scope, retryAfterSec } = verdict;
    this.metrics.rateLimited.inc({ scope });
    throw new EdgeAnswer(
      'rate_limited',
      429,
      { error: 'rate_limited', message: `too many requests (${scope === 'proxy_ip' ? 'from this address' : 'for this caller'}); retry after ${retryAfterSec} s`, retryAfterSec },
      { 'retry-after': String(retryAfterSec) },
    );
  }

  private async record(input: { outcome: AuthzOutcome; permission: string; resource: string; clientIp: string; requestId: string }): Promise<void> {
    const event = decisionEvent({ service: SERVICE, permission: input.permission, policyVersion: this.policy.version, outcome: input.outcome, resource: input.resource, ip: input.clientIp, traceId: input.requestId });
    try {
      await this.audit.record(event);
    } catch (error) {
      this.logger.error(`audit failed (${describeError(error)}); refusing ${event.outcome} ${input.permission} with 503 (fail closed)`);
      throw new EdgeAnswer('audit_unavailable', 503, { error: 'audit_unavailable', message: 'the authorization decision could not be audited, so the request was refused; retry later' });
    }
  }

  private answerFor(error: unknown, service: string, req: IncomingMessage): EdgeAnswer | undefined {
    if (error instanceof EdgeAnswer) return error;
    if (error instanceof AuthError) {
      const status = 401;
      const header = error.code === 'MISSING_TOKEN' ? 'Bearer realm="vigil"' : 'Bearer realm="vigil", error="invalid_token"';
      return new EdgeAnswer(error.code === 'SESSION_REVOKED' ? 'session_revoked' : 'unauthenticated', status, { error: 'unauthorized', code: error.code, message: error.message }, { 'www-authenticate': header });
    }
    if (error instanceof UpstreamFailure) {
      if (error.kind === 'upstream_timeout') return new EdgeAnswer('upstream_timeout', 504, { error: 'upstream_timeout', message: `${error.message} (${this.config.VIGIL_PROXY_TIMEOUT} ms)` });
      if (error.kind === 'bad_request') return new EdgeAnswer('bad_request', 400, { error: 'bad_request', message: error.message });
      this.logger.warn(`${req.method} ${service}: ${error.message}`);
      return new EdgeAnswer('upstream_unavailable', 502, { error: 'upstream_unavailable', message: `${error.message}; retry later` });
    }
    if ((error as { name?: string }).name === 'AbortError' || (error as { code?: string }).code === 'UND_ERR_ABORTED') return undefined;
    this.logger.error({ err: error }, `proxy to ${service} failed: ${describeError(error)}`);
    return new EdgeAnswer('upstream_unavailable', 502, { error: 'upstream_unavailable', message: `${service} failed to answer; retry later` });
  }
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function clientIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTEXT_BODY) throw new EdgeAnswer('bad_request', 413, { error: 'payload_too_large', message: `the body of this route is limited to ${MAX_CONTEXT_BODY} bytes` });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export type { ProxyRoute };
