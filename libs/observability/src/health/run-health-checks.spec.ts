import { HealthCheck } from './health-check';
import { runHealthChecks } from './run-health-checks';

const healthy = (name: string): HealthCheck => ({ name, check: async () => undefined });
const failing = (name: string, err: unknown): HealthCheck => ({
  name,
  check: async () => {
    throw err;
  },
});

describe('runHealthChecks', () => {
  it('is ok when every check passes', async () => {
    expect(await runHealthChecks([healthy('postgres'), healthy('kafka')])).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'ok' }, kafka: { status: 'ok' } },
    });
  });

  it('is ok with no checks at all', async () => {
    expect(await runHealthChecks([])).toEqual({ status: 'ok', checks: {} });
  });

  it('names each failing dependency and why, and still reports the healthy ones', async () => {
    const report = await runHealthChecks([
      healthy('postgres'),
      failing('redis', new Error('connect ECONNREFUSED 127.0.0.1:6390')),
      failing('kafka', new Error('broker 127.0.0.1:9092 unreachable')),
    ]);
    expect(report).toEqual({
      status: 'unavailable',
      checks: {
        postgres: { status: 'ok' },
        redis: { status: 'failing', error: 'connect ECONNREFUSED 127.0.0.1:6390' },
        kafka: { status: 'failing', error: 'broker 127.0.0.1:9092 unreachable' },
      },
    });
  });

  it('never shows the password of a URL in a reason', async () => {
    const report = await runHealthChecks([failing('postgres', new Error('cannot reach postgres://vigil:hunter2@db:5432/vigil'))]);
    expect(report.checks.postgres.error).toBe('cannot reach postgres://vigil:***@db:5432/vigil');
  });

  it('fails a check that never answers, so /readyz always answers', async () => {
    const hanging: HealthCheck = { name: 'kafka', check: () => new Promise(() => undefined) };
    const report = await runHealthChecks([hanging, healthy('postgres')], 20);
    expect(report.status).toBe('unavailable');
    expect(report.checks.kafka).toEqual({ status: 'failing', error: 'kafka did not answer within 20 ms' });
  });
});
