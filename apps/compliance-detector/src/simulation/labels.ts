import type { AlertType } from '@vigil/contracts';

/** The near misses the simulator injects: honest behaviour that looks like a rule's pattern. */
export const DECOY_KINDS = [
  'LARGE_ORDER_FILLS',
  'FAT_FINGER_CANCEL',
  'HEAVY_MARKET_MAKING',
  'BALANCED_CLOSE',
  // Beyond the four: one short of a threshold each.
  'SHORT_QUOTE_BURST',
  'BUSY_CANCELLER',
  'SWEEP_KEPT',
] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];

/**
 * One labelled episode of a scenario: a manipulation the detector must find (its alert
 * type, account, instrument and event-time span) or a decoy it must leave alone.
 */
export interface EpisodeLabel {
  id: string;
  kind: 'MANIPULATION' | 'DECOY';
  /** For a manipulation: the alert type that must be raised. */
  type?: AlertType;
  decoy?: DecoyKind;
  venue: string;
  instrument: string;
  /** The suspected account (for a wash trade, the buy side's account of its first trade). */
  accountId: string;
  beneficialOwnerId?: string;
  start: string;
  end: string;
  description: string;
}

export interface ScenarioLabels {
  seed: number;
  minutes: number;
  start: string;
  end: string;
  events: number;
  episodes: EpisodeLabel[];
}
