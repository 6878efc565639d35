import { auditEventsContract, type AuditEvent } from '@vigil/contracts';
import { EventProducer, SendDeadlineExceeded, type SendOptions } from '@vigil/kafka';
import { MetricsRegistry } from '@vigil/observability';
import type { VaultConfig } from '../vault.config';
import { VaultMetrics } from '../vault.metrics';
import { VaultAudit } from './vault-audit';

// A fake of our own EventProducer: the first send misses its deadline, later ones succeed.
class SlowThenFineProducer {
  sent: AuditEvent[] = [];
  calls = 0;
  async send<T>(_contract: unknown, values: readonly T[], options: SendOptions = {}): Promise<void> {
    this.calls++;
    if (this.calls === 1) throw new SendDeadlineExceeded('audit.events.v1', values.length, `no acknowledgement within ${options.timeoutMs} ms`);
    this.sent.push(...(values as unknown as AuditEvent[]));
  }
}

const config = { VIGIL_VAULT_DENIAL_THRESHOLD: 5, VIGIL_VAULT_DENIAL_WINDOW: 60_000, VIGIL_VAULT_AUDIT_TIMEOUT: 50 } as VaultConfig;

describe('VaultAudit', () => {
  it('refuses an operation whose success event missed its deadline, and sends a correction naming that event', async () => {
    const producer = new SlowThenFineProducer();
    const audit = new VaultAudit(producer as unknown as EventProducer, new VaultMetrics(new MetricsRegistry('vault', { defaultMetrics: false }), {} as never), config);
    const record = { actor: { type: 'service' as const, id: 'svc-audit-writer' }, action: 'secrets.read', resource: 'secret:db/audit-writer', outcome: 'success' as const, details: { version: 3 } };
    await expect(audit.record(record)).rejects.toMatchObject({ code: 'audit_unavailable' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.sent).toHaveLength(1);
    const correction = producer.sent[0];
    expect(auditEventsContract.parse(correction)).toBeTruthy();
    expect(correction).toMatchObject({ action: 'secrets.read', resource: 'secret:db/audit-writer', outcome: 'failure', details: { version: 3, supersedesEventId: expect.any(String) } });
    expect(correction.reason).toContain('not acknowledged within 50 ms');
  });

  it('sends no correction for a failure or denial event, or for an error that is not a deadline', async () => {
    const producer = new SlowThenFineProducer();
    const audit = new VaultAudit(producer as unknown as EventProducer, new VaultMetrics(new MetricsRegistry('vault', { defaultMetrics: false }), {} as never), config);
    await expect(audit.record({ actor: { type: 'user', id: 'u' }, action: 'secrets.read', resource: 'secret:x', outcome: 'denied', reason: 'no' })).rejects.toMatchObject({ code: 'audit_unavailable' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.sent).toEqual([]);
  });
});
