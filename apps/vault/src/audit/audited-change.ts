import type { JsonObject } from '@vigil/contracts';
import { inTransaction } from '@vigil/database';
import type { Pool, PoolClient } from 'pg';
import { VaultError } from '../vault.errors';
import type { VaultMetrics } from '../vault.metrics';
import type { VaultAudit, VaultAuditRecord } from './vault-audit';

/**
 * A change with its audit event produced before COMMIT: a change that cannot be audited
 * does not happen (503 audit_unavailable, rolled back). A failure is audited as such.
 * `details` collects versions and counts for the event (never a value).
 */
export async function auditedChange<T>(
  deps: { pool: Pool; audit: VaultAudit; metrics: VaultMetrics },
  record: Omit<VaultAuditRecord, 'outcome' | 'details'>,
  fn: (client: PoolClient, details: JsonObject) => Promise<T>,
): Promise<T> {
  const details: JsonObject = {};
  const full: VaultAuditRecord = { ...record, outcome: 'success', details };
  try {
    const result = await inTransaction(deps.pool, async (client) => {
      const value = await fn(client, details);
      await deps.audit.record(full);
      return value;
    });
    deps.metrics.operations.inc({ operation: record.action, outcome: 'success' });
    return result;
  } catch (error) {
    if (error instanceof VaultError && error.code === 'audit_unavailable') {
      deps.metrics.operations.inc({ operation: record.action, outcome: 'audit_unavailable' });
    } else {
      deps.metrics.operations.inc({ operation: record.action, outcome: error instanceof VaultError ? error.code : 'internal_error' });
      const reason = error instanceof VaultError ? String((error.getResponse() as { message: string }).message) : 'internal error';
      await deps.audit.record({ ...full, outcome: 'failure', reason });
    }
    throw error;
  }
}
