// The whole stack as `npm start` runs it, for cross-project tests: the six services built into
// dist and started as processes against the local Kafka, registry, Postgres and Redis, each on
// a free port, with fresh keys, a throwaway database and its topics under a unique prefix (so
// a running `npm start` on 8080/81xx is left alone).
import { Admin } from '@platformatic/kafka';
import { generateNoteKeys } from '@vigil/merkle';
import {
  assertInfraUp,
  createThrowawayDatabase,
  deferTopicDeletionToLeakScan,
  deleteRedisKeysByPrefix,
  freePort,
  registerSecretForLeakScan,
  serviceEnv,
  testPrefix,
  type InfraEnv,
  type ThrowawayDatabase,
} from '@vigil/testing';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { REPO_ROOT } from './tools';

const run = promisify(execFile);
// The services need Node 24 (require of ES modules), which the node devDependency provides.
export const NODE = existsSync(path.join(REPO_ROOT, 'node_modules/.bin/node')) ? path.join(REPO_ROOT, 'node_modules/.bin/node') : process.execPath;
const READY_TIMEOUT_MS = 45_000;

export const SERVICES = [
  { name: 'auth-gateway', store: 'postgres' },
  { name: 'vault', store: 'postgres' },
  { name: 'compliance-detector', store: 'redis' },
  { name: 'alerter', store: 'postgres' },
  { name: 'audit-writer', store: 'postgres' },
  { name: 'reporter', store: 'postgres' },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export interface RunningChild {
  name: ServiceName;
  store: string;
  port: number;
  url: string;
  proc: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

export interface StackOptions {
  /** Extra environment per service, given every service's port (e.g. the gateway's URL for another service). */
  env?: (ports: Record<ServiceName, number>) => Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  shutdownTimeoutMs?: number;
  logLevel?: string;
}

export interface Stack {
  prefix: string;
  infra: InfraEnv;
  database: ThrowawayDatabase;
  children: RunningChild[];
  child(name: ServiceName): RunningChild;
  /** The environment every service got (keys, database), for a CLI run against the same stack. */
  env(): NodeJS.ProcessEnv;
  /** Kills what still runs, drops the database, deletes the prefix's topics. */
  close(): Promise<void>;
}

export function lastLines(child: RunningChild): string {
  return `last lines of ${child.name}:\n${child.lines.map((line) => `  ${line.slice(0, 400)}`).join('\n')}`;
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

/** Builds (Nx cache: seconds when dist is fresh), migrates and starts the six services; resolves once every one is ready. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const infra = await assertInfraUp();
  const prefix = testPrefix();
  const keysDir = mkdtempSync(path.join(tmpdir(), 'vigil-stack-keys-'));
  const children: RunningChild[] = [];
  let database: ThrowawayDatabase | undefined;

  const keyFile = (name: string, content: string) => {
    const file = path.join(keysDir, name);
    if (!existsSync(file)) {
      writeFileSync(file, registerSecretForLeakScan(content, `stack ${name}`), { mode: 0o600 });
      if (/^[A-Za-z0-9+/]{43}=$/.test(content)) registerSecretForLeakScan(Buffer.from(content, 'base64'), `stack ${name} (bytes)`);
    }
    return file;
  };
  // Fresh keys and a fresh database per run, as `npm start` makes them for a new clone.
  const stackEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...serviceEnv(infra, prefix),
    VIGIL_DATABASE_URL: database?.url,
    // The detector's Redis state under the run's prefix too, so no other run's instruments are seen.
    VIGIL_DETECTOR_KEY_PREFIX: `${prefix}det:`,
    VIGIL_VAULT_MASTER_KEY_FILE: keyFile('vault-master.key', randomBytes(32).toString('base64')),
    VIGIL_AUTH_SEED_KEY_FILE: keyFile('auth-seed.key', randomBytes(32).toString('base64')),
    VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile('audit-checkpoint.key', generateNoteKeys('vigil.audit.stack-test').signerKey),
  });

  const close = async () => {
    // A failed test must not leave services running.
    for (const child of children) if (!child.exit) child.proc.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    rmSync(keysDir, { recursive: true, force: true });
    await database?.drop();
    await deleteRedisKeysByPrefix(`${prefix}det:`, infra.redisUrl);
    // Under npm test the leak scan reads them first, then deletes them.
    if (deferTopicDeletionToLeakScan(prefix)) return;
    const admin = new Admin({ clientId: `${prefix}cleanup`, bootstrapBrokers: infra.kafkaBrokers });
    try {
      const ours = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
      if (ours.length) await admin.deleteTopics({ topics: ours });
    } finally {
      await admin.close();
    }
  };

  try {
    await run(NODE, [path.join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', `--projects=${SERVICES.map((s) => s.name).join(',')}`], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    database = await createThrowawayDatabase();
    // As npm start does: the services that ship a migrate.js have it run before they start.
    for (const { name } of SERVICES) {
      const migrate = path.join(REPO_ROOT, 'dist/apps', name, 'src/migrate.js');
      if (existsSync(migrate)) await run(NODE, [migrate], { cwd: REPO_ROOT, env: stackEnv() });
    }
    const ports = {} as Record<ServiceName, number>;
    for (const { name } of SERVICES) ports[name] = await freePort();
    const extra = options.env?.(ports) ?? {};
    for (const { name, store } of SERVICES) {
      const env: NodeJS.ProcessEnv = {
        ...stackEnv(),
        VIGIL_HTTP_PORT: String(ports[name]),
        VIGIL_HTTP_HOST: '127.0.0.1',
        VIGIL_LOG_LEVEL: options.logLevel ?? 'info',
        VIGIL_SHUTDOWN_TIMEOUT: `${options.shutdownTimeoutMs ?? 10_000}ms`,
        ...extra[name],
      };
      delete env['VIGIL_KAFKA_CLIENT_ID']; // each service's own name
      const proc = spawn(NODE, [path.join(REPO_ROOT, 'dist/apps', name, 'src/main.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const child: RunningChild = {
        name,
        store,
        port: ports[name],
        url: `http://127.0.0.1:${ports[name]}`,
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
      children.push(child);
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    await Promise.all(children.map((child) => waitUntilReady(child, deadline)));
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }

  return {
    prefix,
    infra,
    database: database as ThrowawayDatabase,
    children,
    child(name) {
      const found = children.find((c) => c.name === name);
      if (!found) throw new Error(`no service ${name} in the stack`);
      return found;
    },
    env: stackEnv,
    close,
  };
}
