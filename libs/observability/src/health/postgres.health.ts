import { CheckOptions, DEFAULT_CHECK_TIMEOUT_MS, HealthCheck } from './health-check';
import { withTimeout } from './timeout';

/** The part of a pg Pool (or Client) the check uses. */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** Postgres answers `select 1` through the service's pool. */
export function postgresHealthCheck(pool: Queryable, { name = 'postgres', timeoutMs = DEFAULT_CHECK_TIMEOUT_MS }: CheckOptions = {}): HealthCheck {
  return {
    name,
    async check() {
      await withTimeout(pool.query('select 1'), timeoutMs, name);
    },
  };
}
