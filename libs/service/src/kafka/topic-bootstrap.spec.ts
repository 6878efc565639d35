import { silentLogger, type KafkaLogger, type TopicSpec } from '@vigil/kafka';
import { TopicBootstrap, type TopicCreator } from './topic-bootstrap';

// The retry loop over a fake of our own TopicCreator port; the real broker is in kafka.module.int-spec.ts.

const specs: TopicSpec[] = [{ name: 't1.market.orders.v1', partitions: 6, withDeadLetter: true }];
const fast = { initialMs: 1, maxMs: 4 };

/** Fails `failures` times with ECONNREFUSED, then succeeds. */
function flakyAdmin(failures: number): TopicCreator & { calls: number } {
  const admin = {
    calls: 0,
    async ensureTopics() {
      admin.calls += 1;
      if (admin.calls <= failures) throw new Error('Cannot connect to any broker', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
      return { created: ['t1.market.orders.v1'], existing: [] };
    },
  };
  return admin;
}

function recordingLogger(): KafkaLogger & { warnings: Array<{ details: object; message: string }> } {
  const warnings: Array<{ details: object; message: string }> = [];
  return { ...silentLogger, warnings, warn: (details, message) => warnings.push({ details, message }) };
}

describe('TopicBootstrap', () => {
  it('is not ready before its first attempt finished', () => {
    const bootstrap = new TopicBootstrap(flakyAdmin(0), specs, silentLogger, fast);
    expect(() => bootstrap.assertReady()).toThrow('topics are being created');
  });

  it('retries with growing back-off until the topics exist, then is ready', async () => {
    const admin = flakyAdmin(3);
    const logger = recordingLogger();
    const bootstrap = new TopicBootstrap(admin, specs, logger, { initialMs: 10, maxMs: 25 });
    bootstrap.start();
    await bootstrap.ready;

    expect(admin.calls).toBe(4);
    expect(() => bootstrap.assertReady()).not.toThrow();
    // Each failure is logged with the reason and the wait: 10, 20, then capped at 25 ms (±20 %).
    expect(logger.warnings.map((w) => w.details)).toEqual([
      { attempt: 1, retryInMs: expect.any(Number) },
      { attempt: 2, retryInMs: expect.any(Number) },
      { attempt: 3, retryInMs: expect.any(Number) },
    ]);
    const waits = logger.warnings.map((w) => (w.details as { retryInMs: number }).retryInMs);
    expect(waits[0]).toBeGreaterThanOrEqual(8);
    expect(waits[0]).toBeLessThanOrEqual(12);
    expect(waits[1]).toBeGreaterThanOrEqual(16);
    expect(waits[1]).toBeLessThanOrEqual(24);
    expect(waits[2]).toBeGreaterThanOrEqual(20);
    expect(waits[2]).toBeLessThanOrEqual(30);
    expect(logger.warnings[0].message).toContain('connect ECONNREFUSED 127.0.0.1:9');
  });

  it('names the last failure while it retries', async () => {
    const admin = flakyAdmin(Infinity);
    const bootstrap = new TopicBootstrap(admin, specs, silentLogger, { initialMs: 60_000, maxMs: 60_000 });
    bootstrap.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => bootstrap.assertReady()).toThrow(/^topics not created yet, retrying: Cannot connect to any broker: connect ECONNREFUSED 127.0.0.1:9$/);
    await bootstrap.stop();
  });

  it('stops retrying at once when stopped during a back-off, leaving ready pending', async () => {
    const admin = flakyAdmin(Infinity);
    const bootstrap = new TopicBootstrap(admin, specs, silentLogger, { initialMs: 60_000, maxMs: 60_000 });
    bootstrap.start();
    await new Promise((resolve) => setImmediate(resolve));
    await bootstrap.stop(); // would hang for a minute if the wait were not cut short
    expect(admin.calls).toBe(1);
    const settled = await Promise.race([bootstrap.ready.then(() => 'ready'), new Promise((resolve) => setImmediate(() => resolve('pending')))]);
    expect(settled).toBe('pending');
  });

  it('starts once however often start() is called', async () => {
    const admin = flakyAdmin(0);
    const bootstrap = new TopicBootstrap(admin, specs, silentLogger, fast);
    bootstrap.start();
    bootstrap.start();
    await bootstrap.ready;
    expect(admin.calls).toBe(1);
  });
});
