// The whole stack as `npm start` runs it: the six services built into dist and started
// as processes, against the local Kafka, registry, Postgres and Redis, each on a free port
// with its topics under a unique prefix (so a running `npm start` on 8080/81xx is left alone).
// What every operator and scraper relies on: health, readiness with its checks, the
// OpenAPI document, Prometheus text that Prometheus's own promtool accepts, and a clean
// exit on SIGTERM.
import { spawn } from 'node:child_process';
import { SERVICES, startStack, type RunningChild, type Stack } from '../support/stack';
import { findTool } from '../support/tools';

const SHUTDOWN_TIMEOUT_MS = 10_000;

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

let stack: Stack | undefined;
let children: RunningChild[] = [];

beforeAll(async () => {
  stack = await startStack({ shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
  children = stack.children;
}, 120_000);

afterAll(async () => {
  await stack?.close();
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
    const promtool = findTool('promtool');
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
