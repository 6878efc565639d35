import { describeError } from './describe-error';
import { CheckOutcome, HealthCheck, ReadinessReport } from './health-check';
import { withTimeout } from './timeout';

/** A ceiling for checks that bring no timeout of their own, so /readyz always answers. */
const CEILING_MS = 5_000;

/** Runs every check at once; the service is ready only when all pass. */
export async function runHealthChecks(checks: readonly HealthCheck[], ceilingMs = CEILING_MS): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map(async (c): Promise<[string, CheckOutcome]> => {
      try {
        await withTimeout(c.check(), ceilingMs, c.name);
        return [c.name, { status: 'ok' }];
      } catch (err) {
        return [c.name, { status: 'failing', error: describeError(err) }];
      }
    }),
  );
  const ready = outcomes.every(([, outcome]) => outcome.status === 'ok');
  return { status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(outcomes) };
}
