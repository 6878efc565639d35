import type { JsonObject } from '@vigil/contracts';
import { inTransaction } from '@vigil/database';
import type { Pool, PoolClient } from 'pg';
import { VaultError } from '../vault.errors';
import type { VaultMetrics } from '../vault.metrics';
import type { VaultAudit, VaultAuditRecord } from './vault-audit';

export interface AuditDeps {
  pool: Pool;
  audit: VaultAudit;
  metrics: VaultMetrics;
}

type Operation = Omit<VaultAuditRecord, 'outcome' | 'details'> & { details?: JsonObject };

/**
 * A read (or any operation that changes nothing): the operation, then its audit event
 * (success or failure), then the answer — a result whose event cannot be produced is not
 * returned (503 audit_unavailable). `details` collects versions and counts for the event.
 */
export async function auditedRead<T>(deps: AuditDeps, operation: Operation, fn: (details: JsonObject) => Promise<T>): Promise<T> {
  const details: JsonObject = { ...operation.details };
  const record: VaultAuditRecord = { ...operation, outcome: 'success', details };
  let result: T;
  try {
    result = await fn(details);
  } catch (error) {
    await auditFailure(deps, record, error);
    throw error;
  }
  await deps.audit.record(record);
  deps.metrics.operations.inc({ operation: record.action, outcome: 'success' });
  return result;
}

/**
 * A change with its audit event produced before COMMIT: a change that cannot be audited
 * does not happen (503 audit_unavailable, rolled back). A failure is audited as such.
 * `details` collects versions and counts for the event (never a value).
 */
export async function auditedChange<T>(deps: AuditDeps, operation: Operation, fn: (client: PoolClient, details: JsonObject) => Promise<T>): Promise<T> {
  const details: JsonObject = { ...operation.details };
  const full: VaultAuditRecord = { ...operation, outcome: 'success', details };
  try {
    const result = await inTransaction(deps.pool, async (client) => {
      const value = await fn(client, details);
      await deps.audit.record(full);
      return value;
    });
    deps.metrics.operations.inc({ operation: full.action, outcome: 'success' });
    return result;
  } catch (error) {
    if (error instanceof VaultError && error.code === 'audit_unavailable') deps.metrics.operations.inc({ operation: full.action, outcome: 'audit_unavailable' });
    else await auditFailure(deps, full, error);
    throw error;
  }
}

// The failure's own audit event; if even that cannot be produced, the answer is the 503.
async function auditFailure(deps: AuditDeps, record: VaultAuditRecord, error: unknown): Promise<void> {
  deps.metrics.operations.inc({ operation: record.action, outcome: error instanceof VaultError ? error.code : 'internal_error' });
  const reason = error instanceof VaultError ? String((error.getResponse() as { message: string }).message) : 'internal error';
  await deps.audit.record({ ...record, outcome: 'failure', reason });
}
