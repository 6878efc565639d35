import { createHash } from 'node:crypto';
import type { AuditCheckpoint } from '../audit-checkpoints';
import type { AuditEvent } from '../audit-events.v1';
import type { ComplianceAlert } from '../compliance-alerts.v1';
import type { MarketOrderEvent, MarketOrderEventFields } from '../market-orders.v1';
import type { ReportGenerated } from '../reports-generated';
import type { SecurityIncident } from '../security-incidents.v1';

/**
 * Valid example events for tests, one builder per topic. Overrides replace fields; an override
 * of `undefined` removes the field (to build an event that misses it). Each call gets a fresh
 * eventId/alertId/... (a per-process counter), everything else is fixed, so two examples of one
 * order differ only in what a test changes. The result equals what contract.parse() returns
 * for it when the overrides keep it valid.
 */

let sequence = 0;
const next = () => String(++sequence).padStart(6, '0');

/** A NEW LIMIT BUY order on XLON (beneficialOwnerId follows accountId unless overridden). */
export function exampleOrderEvent(overrides: Partial<MarketOrderEventFields> = {}): MarketOrderEvent {
  const accountId = 'accountId' in overrides ? overrides.accountId : 'ACC-1';
  return build<MarketOrderEvent>(
    {
      eventId: `evt-${next()}`,
      eventType: 'NEW',
      ts: '2026-03-02T14:30:00.123456Z',
      venue: 'XLON',
      instrument: 'GB00B03MLX29',
      orderId: 'ORD-1',
      accountId,
      traderId: 'TRADER-7',
      beneficialOwnerId: accountId,
      side: 'BUY',
      orderType: 'LIMIT',
      price: 101.5,
      quantity: 500,
    } as MarketOrderEvent,
    overrides,
  );
}

/** A FILL of order ORD-1 that closes it (leavesQty 0), as the aggressor. */
export function exampleFillEvent(overrides: Partial<MarketOrderEventFields> = {}): MarketOrderEvent {
  return exampleOrderEvent({
    eventType: 'FILL',
    ts: '2026-03-02T14:30:01.5Z',
    orderType: undefined,
    price: undefined,
    quantity: undefined,
    fillQty: 500,
    fillPrice: 101.5,
    tradeId: 'TRD-1',
    leavesQty: 0,
    aggressor: true,
    ...overrides,
  });
}

export function exampleComplianceAlert(overrides: Partial<ComplianceAlert> = {}): ComplianceAlert {
  return build<ComplianceAlert>(
    {
      alertId: `alert-${next()}`,
      fingerprint: sha256Hex('SPOOFING|XLON|GB00B03MLX29|ACC-1|2026-03-02T14:30:00Z'),
      type: 'SPOOFING',
      severity: 'HIGH',
      ts: '2026-03-02T14:31:00.250Z',
      windowStart: '2026-03-02T14:30:00Z',
      windowEnd: '2026-03-02T14:30:30Z',
      venue: 'XLON',
      instrument: 'GB00B03MLX29',
      accountId: 'ACC-1',
      traderId: 'TRADER-7',
      ruleId: 'spoofing-default',
      ruleVersion: 3,
      score: 0.92,
      threshold: 0.8,
      summary: 'ACC-1 placed 12 large BUY orders on GB00B03MLX29 and cancelled 92% within 2 s while selling 300.',
      evidence: {
        orderIds: ['ORD-1', 'ORD-2', 'ORD-3'],
        tradeIds: ['TRD-9'],
        metrics: { cancelRatio: 0.92, placedQty: 6000, oppositeFilledQty: 300 },
      },
    },
    overrides,
  );
}

export function exampleAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return build<AuditEvent>(
    {
      eventId: `audit-${next()}`,
      ts: '2026-03-02T14:30:00.5Z',
      service: 'vault',
      actor: { type: 'service', id: 'audit-writer', roles: ['secrets:read'], ip: '127.0.0.1' },
      action: 'secrets.read',
      resource: 'secret:db/audit-writer',
      outcome: 'allowed',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      details: { keyVersion: 4, cached: false },
    },
    overrides,
  );
}

export function exampleSecurityIncident(overrides: Partial<SecurityIncident> = {}): SecurityIncident {
  return build<SecurityIncident>(
    {
      incidentId: `inc-${next()}`,
      ts: '2026-03-02T14:35:00Z',
      type: 'BRUTE_FORCE',
      severity: 'HIGH',
      subject: 'user:alice',
      summary: '25 failed logins for alice from 3 addresses in 60 s.',
      evidence: { failedLogins: 25, windowSeconds: 60, sourceIps: ['10.0.0.5', '10.0.0.6', '10.0.0.7'] },
    },
    overrides,
  );
}

/**
 * An audit.checkpoints event whose note matches its fields (recomputed from the overridden
 * origin/treeSize/rootHash unless `note` itself is overridden). The signature is a placeholder
 * of zero bytes, clearly not a real signature.
 */
export function exampleAuditCheckpoint(overrides: Partial<AuditCheckpoint> = {}): AuditCheckpoint {
  const fields = build<Omit<AuditCheckpoint, 'note'>>(
    {
      origin: 'vigil.dev/audit/audit.events.v1-0',
      logId: 'audit.events.v1-0',
      treeSize: 42,
      rootHash: createHash('sha256').update('example tree').digest('base64'),
      timestamp: '2026-03-02T14:40:00Z',
    },
    overrides,
  );
  const placeholderSignature = Buffer.alloc(68).toString('base64');
  const note = `${fields.origin}\n${fields.treeSize}\n${fields.rootHash}\n\n\u2014 vigil-example ${placeholderSignature}\n`;
  return build<AuditCheckpoint>({ ...fields, note }, 'note' in overrides ? { note: overrides.note } : {});
}

export function exampleReportGenerated(overrides: Partial<ReportGenerated> = {}): ReportGenerated {
  return build<ReportGenerated>(
    {
      reportId: `report-${next()}`,
      type: 'STOR',
      periodStart: '2026-03-01T00:00:00Z',
      periodEnd: '2026-03-02T00:00:00Z',
      generatedAt: '2026-03-02T00:05:00Z',
      format: 'csv',
      location: '/reports/example/file',
      sha256: sha256Hex('example report'),
    },
    overrides,
  );
}

function build<T extends object>(defaults: T, overrides: object): T {
  const result = { ...defaults, ...overrides } as Record<string, unknown>;
  for (const [key, value] of Object.entries(result)) if (value === undefined) delete result[key];
  return result as T;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
