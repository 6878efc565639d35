/**
 * A consumer process for the crash-recovery integration test, run as
 * `node -r @swc-node/register libs/kafka/test-support/idempotent-consumer.child.ts`.
 *
 * Each event adds its quantity to a running total in Postgres — an effect that is NOT
 * idempotent by itself — guarded by `INSERT ... ON CONFLICT DO NOTHING` on its eventId in
 * the same transaction, the pattern Vigil's services use. Every delivery is also logged,
 * so the test can see redeliveries. After writing a batch it prints a line and lingers
 * before returning, which is where the test kills it: effects written, offsets not
 * committed. SIGTERM stops it gracefully (exit 0).
 *
 * Env: KAFKA_BROKERS, TOPIC_PREFIX, GROUP_ID, DATABASE_URL (search_path set to the test's
 * schema), LINGER_MS.
 */
import { marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { Pool } from 'pg';
import { createConsumerRunner, type KafkaLogger } from '../src/index';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`idempotent-consumer: ${name} must be set`);
  return value;
}

const pool = new Pool({ connectionString: required('DATABASE_URL'), max: 2 });
const lingerMs = Number(process.env['LINGER_MS'] ?? '200');
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const logger: KafkaLogger = {
  debug: () => undefined,
  info: (_details, message) => say({ event: 'log', level: 'info', message }),
  warn: (_details, message) => say({ event: 'log', level: 'warn', message }),
  error: (_details, message) => say({ event: 'log', level: 'error', message }),
};

const runner = createConsumerRunner<MarketOrderEvent>({
  brokers: required('KAFKA_BROKERS').split(','),
  clientId: 'idempotent-consumer',
  topicPrefix: required('TOPIC_PREFIX'),
  groupId: required('GROUP_ID'),
  contracts: [marketOrdersContract],
  maxBatchMessages: 100,
  // Short, so that after a SIGKILL the dead member leaves the group within seconds.
  sessionTimeoutMs: 3_000,
  heartbeatIntervalMs: 500,
  rebalanceTimeoutMs: 6_000,
  logger,
  handler: async (messages) => {
    const client = await pool.connect();
    let applied = 0;
    try {
      await client.query('begin');
      for (const { value } of messages) {
        await client.query('insert into deliveries (event_id) values ($1)', [value.eventId]);
        const fresh = await client.query('insert into processed (event_id) values ($1) on conflict do nothing', [value.eventId]);
        if (fresh.rowCount === 1) {
          await client.query('update totals set quantity = quantity + $1 where id = 1', [value.quantity ?? 0]);
          applied += 1;
        }
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    say({ event: 'batch', size: messages.length, applied });
    await new Promise((resolve) => setTimeout(resolve, lingerMs));
  },
});

process.on('SIGTERM', () => {
  void runner
    .stop()
    .then(() => pool.end())
    .then(() => {
      say({ event: 'stopped' });
      process.exit(0);
    });
});

runner.done.catch((error: unknown) => {
  say({ event: 'failed', message: String(error) });
  process.exit(1);
});

void runner.start().then(() => say({ event: 'started' }));
