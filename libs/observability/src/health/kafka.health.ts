import { CheckOptions, DEFAULT_CHECK_TIMEOUT_MS, HealthCheck } from './health-check';
import { withTimeout } from './timeout';

/**
 * Kafka is reachable, as `probe` decides: the Kafka library supplies it (a metadata
 * request through its client), so observability needs no Kafka client of its own.
 */
export function kafkaHealthCheck(probe: () => Promise<void>, { name = 'kafka', timeoutMs = DEFAULT_CHECK_TIMEOUT_MS }: CheckOptions = {}): HealthCheck {
  return {
    name,
    async check() {
      await withTimeout(probe(), timeoutMs, name);
    },
  };
}
