/**
 * Exponential back-off for work that must not be skipped (a failing batch, a commit, a
 * dead-letter write): the delay doubles up to a cap, with jitter so that members of a
 * group retrying the same outage do not hammer the broker in step.
 */
export interface RetryPolicy {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  /** Growth per attempt (2 = doubling). */
  factor: number;
  /** Fraction of each delay drawn at random, 0..1 (0.2 = ±20 %). */
  jitter: number;
  /** Attempts before giving up; Infinity (the default) retries until stopped. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Delay after the `attempt`-th failure (1-based). `random` is injectable for tests. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const spread = capped * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(capped + spread)));
}

export function checkRetryPolicy(policy: RetryPolicy): void {
  const problems: string[] = [];
  if (!(policy.initialDelayMs >= 0)) problems.push('initialDelayMs must be >= 0');
  if (!(policy.maxDelayMs >= policy.initialDelayMs)) problems.push('maxDelayMs must be >= initialDelayMs');
  if (!(policy.factor >= 1)) problems.push('factor must be >= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push('jitter must be between 0 and 1');
  if (!(policy.maxAttempts >= 1)) problems.push('maxAttempts must be >= 1');
  if (problems.length > 0) throw new Error(`retry policy: ${problems.join('; ')}`);
}

/** Resolves after `ms`, or early (false) once `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
