import { backoffDelay, checkRetryPolicy, DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 5_000, factor: 2, jitter: 0, maxAttempts: Infinity };

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(policy, attempt))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it('stays within ±jitter of the exponential delay and never above the cap', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelay(jittered, 3, () => 0)).toBe(320);
    expect(backoffDelay(jittered, 3, () => 1)).toBe(480);
    expect(backoffDelay(jittered, 20, () => 1)).toBe(5000);
  });

  it('does not overflow for very high attempt numbers', () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 10_000, () => 0.5)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});

describe('checkRetryPolicy', () => {
  it('accepts the default', () => {
    expect(() => checkRetryPolicy(DEFAULT_RETRY_POLICY)).not.toThrow();
  });

  it('names every bad setting', () => {
    expect(() => checkRetryPolicy({ initialDelayMs: -1, maxDelayMs: 10, factor: 0.5, jitter: 2, maxAttempts: 0 })).toThrow(
      'retry policy: initialDelayMs must be >= 0; factor must be >= 1; jitter must be between 0 and 1; maxAttempts must be >= 1',
    );
  });
});

describe('sleep', () => {
  it('resolves true after the delay, false when aborted first', async () => {
    await expect(sleep(1)).resolves.toBe(true);
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe(false);
    await expect(sleep(60_000, controller.signal)).resolves.toBe(false);
  });
});
