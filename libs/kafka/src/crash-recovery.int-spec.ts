import { exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { createThrowawaySchema, testInfra, testPrefix, type InfraEnv, type ThrowawaySchema } from '@vigil/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { testLogger } from '../test-support/kafka-test-helpers';
import { KafkaAdmin } from './kafka-admin';
import { createEventProducer } from './kafka.factory';

const repoRoot = path.resolve(__dirname, '../../..');
const childScript = 'libs/kafka/test-support/idempotent-consumer.child.ts';

interface ChildLine {
  event: string;
  size?: number;
  applied?: number;
  level?: string;
  message?: string;
}

/** The consumer as a separate process, so it can really be killed with SIGKILL. */
class ConsumerProcess {
  readonly lines: ChildLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(path.join(repoRoot, 'node_modules/.bin/node'), ['-r', '@swc-node/register', childScript], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { stdout, stderr } = this.child;
    if (!stdout || !stderr) throw new Error('consumer process: spawned without stdout/stderr pipes');
    createInterface({ input: stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as ChildLine);
      } catch {
        this.lines.push({ event: 'stdout', message: line });
      }
    });
    stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get batches(): ChildLine[] {
    return this.lines.filter((line) => line.event === 'batch');
  }

  async waitFor(what: string, condition: () => boolean, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`consumer process: ${what} did not happen. stdout: ${JSON.stringify(this.lines.slice(-20))} stderr: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

// kill -9 a consumer inside a batch and restart it: every event has exactly one effect,
// none is lost, and some were delivered twice (the at-least-once path really ran).
describe('a consumer killed with SIGKILL mid-batch', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let schema: ThrowawaySchema;
  let db: Client;
  const prefix = testPrefix();
  const total = 3000;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'postgres']));
    schema = await createThrowawaySchema(infra.databaseUrl);
    db = new Client({ connectionString: schema.url });
    await db.connect();
    await db.query(`
      create table processed (event_id text primary key);
      create table deliveries (event_id text not null);
      create table totals (id int primary key, quantity bigint not null);
      insert into totals values (1, 0);
    `);
    const admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-crash' });
    try {
      await admin.ensureTopics([{ name: `${prefix}market.orders.v1`, partitions: 3 }], testLogger());
    } finally {
      await admin.close();
    }
  });

  afterAll(async () => {
    await db?.end();
    await schema?.drop();
    await stopInfra?.();
  });

  it('loses nothing and applies no effect twice after a restart', async () => {
    const producer = createEventProducer({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-crash', topicPrefix: prefix });
    const events = Array.from({ length: total }, (_, i) =>
      exampleOrderEvent({ eventId: `crash-${i}`, instrument: `INST-${i % 17}`, quantity: i + 1 }),
    );
    for (let i = 0; i < total; i += 500) await producer.send(marketOrdersContract, events.slice(i, i + 500));
    await producer.close();
    const expectedQuantity = (total * (total + 1)) / 2;

    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TOPIC_PREFIX: prefix,
      GROUP_ID: `${prefix}crash`,
      DATABASE_URL: schema.url,
      LINGER_MS: '150',
    };
    const first = new ConsumerProcess(env);
    // Kill it while it lingers after writing a batch, once it is well into the topic.
    await first.waitFor('1000 deliveries', () => first.batches.reduce((sum, b) => sum + (b.size ?? 0), 0) >= 1000);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await counts();
    expect(atKill.processed).toBeLessThan(total);

    const second = new ConsumerProcess(env);
    let processed = atKill.processed;
    const poller = setInterval(() => void counts().then((c) => (processed = c.processed), () => undefined), 200);
    try {
      await second.waitFor('all events processed', () => processed >= total, 120_000);
    } finally {
      clearInterval(poller);
    }
    second.kill('SIGTERM');
    const exit = await second.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(second.lines.some((line) => line.event === 'stopped')).toBe(true);

    const after = await counts();
    console.log(`crash recovery: ${atKill.processed} processed at the kill; after restart ${JSON.stringify(after)}`);
    expect(after.processed).toBe(total); // none lost
    expect(after.quantity).toBe(expectedQuantity); // no effect applied twice
    expect(after.deliveries).toBeGreaterThan(total); // some were delivered twice...
    expect(after.redelivered).toBeGreaterThan(0); // ...and those were the killed batch's
    const missing = await db.query(
      `select count(*)::int as n from generate_series(0, ${total - 1}) i where not exists (select 1 from processed p where p.event_id = 'crash-' || i)`,
    );
    expect(missing.rows[0].n).toBe(0);
  });

  async function counts(): Promise<{ processed: number; deliveries: number; redelivered: number; quantity: number }> {
    const { rows } = await db.query(`
      select (select count(*)::int from processed) as processed,
             (select count(*)::int from deliveries) as deliveries,
             (select count(*)::int from (select event_id from deliveries group by event_id having count(*) > 1) d) as redelivered,
             (select quantity::int from totals where id = 1) as quantity`);
    return rows[0];
  }
});
