// The whole stack as `npm start` runs it: the six services built into dist and started
// as processes, against the local Kafka, registry, Postgres and Redis, each on a free port
// with its topics under a unique prefix (so a running `npm start` on 8080/81xx is left alone).
// What every operator and scraper relies on: health, readiness with its checks, the
// OpenAPI document, Prometheus text that Prometheus's own promtool accepts, and a clean
// exit on SIGTERM.
import { Admin } from '@platformatic/kafka';
import { generateNoteKeys } from '@vigil/merkle';
import { assertInfraUp, createThrowawayDatabase, serviceEnv, testPrefix, type InfraEnv, type ThrowawayDatabase } from '@vigil/testing';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
// The services need Node 24 (require of ES modules), which the node devDependency provides.
const NODE = existsSync(path.join(repoRoot, 'node_modules/.bin/node')) ? path.join(repoRoot, 'node_modules/.bin/node') : process.execPath;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 45_000;

const SERVICES = [
  { name: 'auth-gateway', store: 'postgres' },
  { name: 'vault', store: 'postgres' },
  { name: 'compliance-detector', store: 'redis' },
  { name: 'alerter', store: 'postgres' },
  { name: 'audit-writer', store: 'postgres' },
  { name: 'reporter', store: 'postgres' },
] as const;

/**
 * Gauges that prom-client's default metrics name `*_total` (active handles, requests and
 * resources), which promtool's naming lint flags. They are valid exposition text; every
 * other lint finding fails the test.
 */
const PROM_CLIENT_DEFAULT_LINT = new Set(
  ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'].map(
    (name) => `${name} non-counter metrics should not have "_total" suffix`,
  ),
);

interface RunningChild {
  name: string;
  store: string;
  url: string;
  proc: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

const prefix = testPrefix();
let infra: InfraEnv;
let database: ThrowawayDatabase | undefined;
const children: RunningChild[] = [];
const keysDir = mkdtempSync(path.join(tmpdir(), 'vigil-stack-keys-'));

/** Fresh keys and a fresh database per run, as `npm start` makes them for a new clone. */
function stackEnv(): NodeJS.ProcessEnv {
  const keyFile = (name: string, content: string) => {
    const file = path.join(keysDir, name);
    if (!existsSync(file)) writeFileSync(file, content, { mode: 0o600 });
    return file;
  };
  return {
    VIGIL_DATABASE_URL: database?.url,
    VIGIL_VAULT_MASTER_KEY_FILE: keyFile('vault-master.key', randomBytes(32).toString('base64')),
    VIGIL_AUTH_SEED_KEY_FILE: keyFile('auth-seed.key', randomBytes(32).toString('base64')),
    VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile('audit-checkpoint.key', generateNoteKeys('vigil.audit.stack-test').signerKey),
  };
}

function findPromtool(): string {
  const candidates = [process.env['VIGIL_PROMTOOL'], path.join(repoRoot, '.vigil/tools/prometheus/usr/bin/promtool')];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) candidates.push(path.join(dir, 'promtool'));
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'promtool not found (VIGIL_PROMTOOL, .vigil/tools/prometheus/usr/bin/promtool, PATH). .ci/run unpacks it from ' +
        "Debian's prometheus package: apt-get download prometheus && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x -C .vigil/tools/prometheus ./usr/bin/promtool",
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function lastLines(child: RunningChild): string {
  return `last lines of ${child.name}:\n${child.lines.map((line) => `  ${line.slice(0, 400)}`).join('\n')}`;
}

async function startChild(name: string, store: string): Promise<RunningChild> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...serviceEnv(infra, prefix),
    ...stackEnv(),
    VIGIL_HTTP_PORT: String(port),
    VIGIL_HTTP_HOST: '127.0.0.1',
    VIGIL_LOG_LEVEL: 'info',
    VIGIL_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
  };
  delete env['VIGIL_KAFKA_CLIENT_ID']; // each service's own name
  const proc = spawn(NODE, [path.join(repoRoot, 'dist/apps', name, 'src/main.js')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: RunningChild = {
    name,
    store,
    url: `http://127.0.0.1:${port}`,
    proc,
    lines: [],
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve((child.exit = { code, signal })))),
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      child.lines.push(line);
      child.lines.splice(0, Math.max(0, child.lines.length - 30));
    });
  }
  return child;
}

async function waitUntilReady(child: RunningChild, deadline: number): Promise<void> {
  let last = 'not asked yet';
  for (;;) {
    if (child.exit) throw new Error(`${child.name} exited (${JSON.stringify(child.exit)}) before it was ready\n${lastLines(child)}`);
    try {
      const res = await fetch(`${child.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      last = `HTTP ${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready within ${READY_TIMEOUT_MS} ms; last /readyz: ${last}\n${lastLines(child)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** promtool's verdict on a scrape: exit code and what it printed. */
function promtoolCheck(promtool: string, text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code: code ?? -1, output }));
    proc.stdin.end(text);
  });
}

beforeAll(async () => {
  infra = await assertInfraUp();
  // Nx restores unchanged projects from its cache, so this takes seconds when dist is fresh.
  await run(NODE, [path.join(repoRoot, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', `--projects=${SERVICES.map((s) => s.name).join(',')}`], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  database = await createThrowawayDatabase();
  // As npm start does: the services that ship a migrate.js have it run before they start.
  for (const { name } of SERVICES) {
    const migrate = path.join(repoRoot, 'dist/apps', name, 'src/migrate.js');
    if (existsSync(migrate)) await run(NODE, [migrate], { cwd: repoRoot, env: { ...process.env, ...stackEnv() } });
  }
  for (const { name, store } of SERVICES) children.push(await startChild(name, store));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  await Promise.all(children.map((child) => waitUntilReady(child, deadline)));
}, 120_000);

afterAll(async () => {
  // A failed test must not leave services running.
  for (const child of children) if (!child.exit) child.proc.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  rmSync(keysDir, { recursive: true, force: true });
  await database?.drop();
  if (!infra) return;
  const admin = new Admin({ clientId: `${prefix}cleanup`, bootstrapBrokers: infra.kafkaBrokers });
  try {
    const ours = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (ours.length) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.close();
  }
});

describe('the six services, started from dist', () => {
  it('answer /healthz 200', async () => {
    for (const child of children) {
      const res = await fetch(`${child.url}/healthz`);
      expect({ service: child.name, status: res.status, body: await res.json() }).toEqual({ service: child.name, status: 200, body: { status: 'ok' } });
    }
  });

  it('answer /readyz 200, listing their store, kafka and the schema registry (and any check of their own), all ok', async () => {
    for (const child of children) {
      const res = await fetch(`${child.url}/readyz`);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
      expect({ service: child.name, status: res.status, readiness: body.status }).toEqual({ service: child.name, status: 200, readiness: 'ok' });
      expect(Object.keys(body.checks)).toEqual(expect.arrayContaining([child.store, 'kafka', 'schema-registry']));
      for (const [name, outcome] of Object.entries(body.checks)) expect({ service: child.name, check: name, ...outcome }).toEqual({ service: child.name, check: name, status: 'ok' });
    }
  });

  it('serve an OpenAPI 3 document of their operations endpoints', async () => {
    for (const child of children) {
      const res = await fetch(`${child.url}/docs/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; info: { title: string }; paths: Record<string, unknown> };
      expect({ service: child.name, openapi: doc.openapi, title: doc.info.title }).toEqual({
        service: child.name,
        openapi: expect.stringMatching(/^3\.\d+\.\d+$/),
        title: `Vigil ${child.name}`,
      });
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    }
  });

  it('serve /metrics as Prometheus text that promtool accepts', async () => {
    const promtool = findPromtool();
    for (const child of children) {
      const res = await fetch(`${child.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).toContain(`service="${child.name}"`);
      expect(text).toContain('# TYPE vigil_kafka_producer_messages_total counter');

      // Exit 0: clean; 3: parsed, with lint findings; 1: not valid exposition text.
      const { code, output } = await promtoolCheck(promtool, text);
      const findings = output.split('\n').filter((line) => line.trim() !== '' && !PROM_CLIENT_DEFAULT_LINT.has(line.trim()));
      expect({ service: child.name, parsed: code === 0 || code === 3, findings }).toEqual({ service: child.name, parsed: true, findings: [] });
    }
  });

  it('exit 0 on SIGTERM, within their shutdown timeout', async () => {
    for (const child of children) child.proc.kill('SIGTERM');
    // A service that overruns VIGIL_SHUTDOWN_TIMEOUT exits 1 by itself; this only keeps a hung one from hanging the test.
    const watchdog = setTimeout(() => children.forEach((child) => child.exit || child.proc.kill('SIGKILL')), SHUTDOWN_TIMEOUT_MS + 5_000);
    try {
      const exits = await Promise.all(children.map(async (child) => ({ service: child.name, ...(await child.exited) })));
      expect(exits).toEqual(SERVICES.map(({ name }) => ({ service: name, code: 0, signal: null })));
    } finally {
      clearTimeout(watchdog);
    }
    for (const child of children) expect(child.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });
});
