import { createHash } from 'node:crypto';
import type { ComplianceAlert } from '@vigil/contracts';
import type { ConfiguredRule, Finding, MarketFacts } from '../rules/rule';

/**
 * Stable hash of (type, venue, instrument, party, bucket start): a re-detection of the same
 * behaviour, by this process or another one after a restart, carries the same fingerprint.
 * The party is the account (for a wash trade, the beneficial owner).
 */
export function fingerprintOf(type: string, market: MarketFacts, party: string, bucketStartMs: number): string {
  const bucket = new Date(bucketStartMs).toISOString().replace('.000Z', 'Z');
  return createHash('sha256').update(`${type}|${market.venue}|${market.instrument}|${party}|${bucket}`).digest('hex');
}

/** The compliance.alerts.v1 event of a finding; its alertId follows from the fingerprint, so a re-send is identical. */
export function toAlert(rule: ConfiguredRule, finding: Finding, market: MarketFacts, detectedAtMs: number): ComplianceAlert {
  const fingerprint = fingerprintOf(rule.type, market, finding.party, finding.bucketStartMs);
  return {
    alertId: `alert-${fingerprint.slice(0, 32)}`,
    fingerprint,
    type: rule.type,
    severity: rule.severity,
    ts: new Date(detectedAtMs).toISOString(),
    windowStart: new Date(finding.windowStartMs).toISOString(),
    windowEnd: new Date(finding.windowEndMs).toISOString(),
    venue: market.venue,
    instrument: market.instrument,
    accountId: finding.accountId,
    ...(finding.traderId !== undefined ? { traderId: finding.traderId } : {}),
    ...(finding.beneficialOwnerId !== undefined ? { beneficialOwnerId: finding.beneficialOwnerId } : {}),
    ruleId: rule.id,
    ruleVersion: rule.version,
    score: finding.score,
    threshold: finding.threshold,
    summary: finding.summary,
    evidence: { orderIds: finding.orderIds, tradeIds: finding.tradeIds, metrics: finding.metrics },
  };
}
