// Reading the deployment files as Docker Compose and the docs would: compose's
// variable interpolation, its two port syntaxes, and the port table of README.md.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export const ROOT = resolve(__dirname, '../..');

export function readRepoFile(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), 'utf8');
}

/** Parses YAML strictly: any error or warning (duplicate key, bad alias...) fails. Merge keys (`<<`) resolve as compose resolves them. */
export function parseYaml(relativePath: string): unknown {
  const doc = parseDocument(readRepoFile(relativePath), { merge: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`${relativePath} is not clean YAML:\n${problems.join('\n')}`);
  return doc.toJS();
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose interpolation as it comes out with no variable set and no .env file:
 * `${X:-default}` and `${X-default}` give the default, `${X}`, `$X` and `${X:+alt}`
 * nothing, `${X:?message}` is an error (compose would refuse to start), `$$` a `$`.
 */
export function interpolate(text: string): string {
  return text.replace(VARIABLE, (match, name: string | undefined, operator: string | undefined, operand = '') => {
    if (match === '$$') return '$';
    if (operator === ':-' || operator === '-') return operand;
    if (operator === ':?' || operator === '?') throw new Error(`${name} must be set: ${operand}`);
    return '';
  });
}

export function interpolateDeep<T>(value: T): T {
  if (typeof value === 'string') return interpolate(value) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v)])) as T;
  }
  return value;
}

export interface PortMapping {
  hostIp: string | undefined;
  published: number | undefined;
  target: number;
}

/** A service's `ports:` entries, short (`[ip:][host:]container[/proto]`) or long syntax. */
export function portMappings(ports: unknown): PortMapping[] {
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) throw new Error(`ports must be a list, got ${typeof ports}`);
  return ports.map((entry: unknown): PortMapping => {
    if (typeof entry === 'number') return { hostIp: undefined, published: undefined, target: entry };
    if (typeof entry === 'string') {
      const parts = entry.replace(/\/(tcp|udp)$/, '').split(':');
      const target = Number(parts.at(-1));
      if (parts.length === 1) return { hostIp: undefined, published: undefined, target };
      if (parts.length === 2) return { hostIp: undefined, published: Number(parts[0]), target };
      if (parts.length === 3) return { hostIp: parts[0], published: Number(parts[1]), target };
      throw new Error(`port entry ${entry} is not [ip:][host:]container`);
    }
    const long = entry as { target?: unknown; published?: unknown; host_ip?: unknown };
    return {
      hostIp: typeof long.host_ip === 'string' ? long.host_ip : undefined,
      published: long.published === undefined ? undefined : Number(long.published),
      target: Number(long.target),
    };
  });
}

// Names the README may give a component, mapped to its compose service.
const README_ALIASES: Record<string, string> = {
  kafka: 'kafka',
  'apache kafka': 'kafka',
  registry: 'registry',
  'schema registry': 'registry',
  'schema-registry': 'registry',
  apicurio: 'registry',
  'apicurio registry': 'registry',
  postgres: 'postgres',
  postgresql: 'postgres',
  redis: 'redis',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  grafana: 'grafana',
};

// The last cell of a port row: `8080`, `127.0.0.1:8080` or a URL like `http://127.0.0.1:8081/apis/ccompat/v7`.
const PORT_CELL = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^\s/:]+:)?(\d{2,5})(?:\/\S*)?$/i;

function plainCell(cell: string): string {
  return cell
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_]/g, '')
    .trim();
}

export interface ReadmePortRow {
  service: string;
  port: number;
  line: number;
}

/**
 * README.md table rows of the form `| <service> | ... | <port> |`, where <service> is a
 * Vigil service or a known infrastructure name (see README_ALIASES) and the last cell is
 * only a port, address or URL. Other rows are ignored; no README, no rows.
 */
export function readmePortRows(serviceNames: readonly string[]): ReadmePortRow[] {
  if (!existsSync(join(ROOT, 'README.md'))) return [];
  const rows: ReadmePortRow[] = [];
  readRepoFile('README.md')
    .split('\n')
    .forEach((text, index) => {
      if (!text.trim().startsWith('|')) return;
      const cells = text.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map(plainCell);
      if (cells.length < 2) return;
      const name = cells[0].toLowerCase();
      const service = serviceNames.includes(name) ? name : README_ALIASES[name];
      const port = PORT_CELL.exec(cells.at(-1) ?? '')?.[1];
      if (service !== undefined && port !== undefined) rows.push({ service, port: Number(port), line: index + 1 });
    });
  return rows;
}

export interface DockerfileStage {
  /** The base image, with global ARG defaults (those before the first FROM) filled in. */
  image: string;
  /** The stage's instructions, continuation lines joined. */
  text: string;
}

/** A Dockerfile's stages by name (`FROM image AS name`); unnamed ones as `#<index>`. */
export function dockerfileStages(dockerfile: string): Map<string, DockerfileStage> {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const globalArgs = new Map<string, string>();
  const stages = new Map<string, DockerfileStage>();
  let current: { name: string; image: string; body: string[] } | undefined;
  const close = () => {
    if (current !== undefined) stages.set(current.name, { image: current.image, text: current.body.join('\n') });
  };
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from !== null) {
      close();
      const image = from[1].replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs.get(arg) ?? '');
      current = { name: from[2] ?? `#${stages.size}`, image, body: [] };
      continue;
    }
    if (current !== undefined) current.body.push(line);
    else {
      const arg = /^ARG\s+(\w+)=(\S+)/i.exec(line);
      if (arg !== null) globalArgs.set(arg[1], arg[2]);
    }
  }
  close();
  return stages;
}
