import { complianceAlertsContract, exampleComplianceAlert } from '@vigil/contracts';
import { createEventProducer } from '@vigil/kafka';
import { createThrowawayDatabase, infraEnv, registerSecretForLeakScan, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { until } from './test-support/alerter-harness';
import { RecordingServer } from './test-support/recording-server';

// The built alerter as a child process, killed with SIGKILL while a burst of duplicate
// alerts streams in, then started again: every incident is there with every alert counted
// exactly once, and each incident state has exactly one delivery per receiver. A delivery
// whose request left just before the kill but whose outcome was not yet recorded is sent
// again with the same Idempotency-Key (at-least-once; the receiver deduplicates on the key),
// so what is asserted of the requests is: every key arrived, and never with two payloads.
jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../..');
const prefix = testPrefix();
const dir = mkdtempSync(path.join(tmpdir(), 'alerter-crash-'));
const peer = new RecordingServer();
let db: ThrowawayDatabase;
let pool: Pool;
let env: Record<string, string>;

beforeAll(async () => {
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['run', 'alerter:build'], { cwd: root, stdio: 'ignore' });
  await peer.start();
  db = await createThrowawayDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  writeFileSync(
    path.join(dir, 'routing.yaml'),
    `receivers:\n  hook: { type: webhook, url: ${peer.url}/hook, secret: { env: ALERTER_CRASH_HOOK_SECRET } }\ndefaultReceivers: [hook]\n`,
  );
  env = {
    ...(process.env as Record<string, string>),
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_ALERTER_ROUTING_FILE: path.join(dir, 'routing.yaml'),
    VIGIL_ALERTER_GROUP_WAIT: '0s',
    VIGIL_ALERTER_POLL_INTERVAL: '50ms',
    ALERTER_CRASH_HOOK_SECRET: registerSecretForLeakScan('crash-test-secret', 'alerter crash test webhook signing key'),
  };
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  await peer.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startAlerter(): ChildProcess {
  const log = openSync(path.join(dir, 'alerter.log'), 'a');
  return spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/apps/alerter/src/main.js')], { env, stdio: ['ignore', log, log] });
}

const counted = async () => Number((await pool.query('SELECT coalesce(sum(count), 0)::int AS n FROM alerter.alerts').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);

it('loses no incident and pages no state twice when the alerter is killed with SIGKILL mid-burst', async () => {
  const producer = createEventProducer({ brokers: infraEnv().kafkaBrokers, clientId: 'alerter-crash', topicPrefix: prefix });
  const GROUPS = 40;
  const PER_GROUP = 150;
  let alerter = startAlerter();
  try {
    const producing = (async () => {
      for (let round = 0; round < PER_GROUP; round += 10) {
        const batch = [];
        for (let r = round; r < round + 10; r++)
          for (let g = 0; g < GROUPS; g++) batch.push(exampleComplianceAlert({ alertId: `a-${g}-${r}`, fingerprint: `crash-${g}`.padEnd(64, 'f'), venue: `V${g}` }));
        await producer.send(complianceAlertsContract, batch);
      }
    })();
    // Kill once a part of the burst is stored and pages are going out.
    await until('a part of the burst stored', async () => ((await counted()) >= 1500 && peer.to('/hook').length > 0 ? true : undefined), 1200, 25);
    alerter.kill('SIGKILL');
    await new Promise((resolve) => alerter.once('exit', resolve));
    await producing;
    alerter = startAlerter();

    await until('the whole burst counted', async () => ((await counted()) === GROUPS * PER_GROUP ? true : undefined), 1200);
    const incidents = await pool.query<{ id: string; alerts: number; count: number }>(
      `SELECT i.id, count(l.alert_id)::int AS alerts, sum(a.count)::int AS count FROM alerter.incidents i
         JOIN alerter.incident_alerts l ON l.incident_id = i.id JOIN alerter.alerts a ON a.id = l.alert_id GROUP BY i.id`,
    );
    expect(incidents.rows).toHaveLength(GROUPS);
    expect(incidents.rows.every((row) => row.alerts === 1 && row.count === PER_GROUP)).toBe(true);

    const delivered = await until('every page delivered', async () => {
      const rows = (await pool.query<{ idempotency_key: string; status: string }>('SELECT idempotency_key, status FROM alerter.deliveries')).rows;
      return rows.length === GROUPS && rows.every((row) => row.status === 'delivered') ? rows : undefined;
    }, 600);
    const keys = delivered.map((row) => row.idempotency_key).sort();
    expect(keys).toEqual(incidents.rows.map((row) => `${row.id}:hook:triggered`).sort());
    const requests = peer.to('/hook');
    expect([...new Set(requests.map((r) => r.headers['idempotency-key']))].sort()).toEqual(keys);
    for (const key of keys) {
      const same = requests.filter((r) => r.headers['idempotency-key'] === key);
      expect(new Set(same.map((r) => JSON.stringify((r.json as { incident: object }).incident))).size).toBe(1);
    }
    // How many keys were re-sent after the kill (0 unless the kill hit a request in flight).
    const resent = requests.length - keys.length;
    console.log(`alerter crash test: ${requests.length} requests for ${keys.length} pages (${resent} re-sent with the same key after SIGKILL)`);
  } finally {
    alerter.kill('SIGTERM');
    await new Promise((resolve) => (alerter.exitCode !== null ? resolve(undefined) : alerter.once('exit', resolve)));
    await producer.close();
  }
});
