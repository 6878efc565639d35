import type { Severity } from '../common/severity.constants';

export const ALERT_TYPES = [
  'SPOOFING',
  'LAYERING',
  'WASH_TRADE',
  'ORDER_TO_TRADE_RATIO',
  'CANCELLATION_RATE',
  'QUOTE_STUFFING',
  'MOMENTUM_IGNITION',
  'MARKING_THE_CLOSE',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Enough to reconstruct the finding. */
export interface AlertEvidence {
  orderIds: string[];
  tradeIds: string[];
  /** Measured values by name (e.g. `cancelRatio`). */
  metrics: Record<string, number>;
}

/** A compliance.alerts.v1 event: what the detector found. Key: fingerprint. */
export interface ComplianceAlert {
  alertId: string;
  /** Stable hash of (type, venue, instrument, accountId, window start bucket): receivers dedupe on it. */
  fingerprint: string;
  type: AlertType;
  severity: Severity;
  /** Detection (processing) time, RFC 3339. */
  ts: string;
  /** Event-time span of the behaviour, RFC 3339; windowEnd is not before windowStart. */
  windowStart: string;
  windowEnd: string;
  venue: string;
  instrument: string;
  /** The suspected party; for a wash trade, the buy side's account. */
  accountId: string;
  traderId?: string;
  beneficialOwnerId?: string;
  ruleId: string;
  ruleVersion: number;
  score: number;
  threshold: number;
  summary: string;
  evidence: AlertEvidence;
}
