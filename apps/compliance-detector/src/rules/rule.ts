import type { AlertType, MarketOrderEvent, Severity } from '@vigil/contracts';
import type { z } from 'zod';
import type { VenueClose } from '../config/venue-close';
import type { AccountWindow } from '../windows/account-window';
import type { CompletedTrade, InstrumentState } from '../windows/instrument-state';

/** A rule as the rule file configures it for one instrument (overrides applied, parameters parsed). */
export interface ConfiguredRule<P = unknown> {
  id: string;
  version: number;
  type: AlertType;
  severity: Severity;
  parameters: P;
}

/** What a rule found; the detector turns it into a compliance.alerts.v1 alert with its fingerprint. */
export interface Finding {
  /** The suspected party: the account (for a wash trade, the beneficial owner). Part of the fingerprint. */
  party: string;
  accountId: string;
  traderId?: string;
  beneficialOwnerId?: string;
  /** Start of the fingerprint's bucket (ms): a re-detection inside it is the same finding. */
  bucketStartMs: number;
  windowStartMs: number;
  windowEndMs: number;
  score: number;
  threshold: number;
  summary: string;
  orderIds: string[];
  tradeIds: string[];
  metrics: Record<string, number>;
}

export interface Placement {
  /** Best price on the order's side before it was placed; undefined when that side was empty. */
  bestSameSide: number | undefined;
  /** Median NEW-order quantity of the instrument over the last 30 min, this order excluded; undefined when none. */
  medianNewQuantity: number | undefined;
  /** NEW orders the instrument had before this one. */
  ordersSeen: number;
}

export interface MarketFacts {
  venue: string;
  instrument: string;
  tickSize: number;
  /** The venue's daily close from the rule file; undefined when the file does not list the venue. */
  close?: VenueClose;
}

/** What a rule sees when one event is handled (in event-time order, after the shared windows took it). */
export interface EventContext<P> {
  rule: ConfiguredRule<P>;
  event: MarketOrderEvent;
  tsMs: number;
  market: MarketFacts;
  /** The event's account on this instrument. */
  account: AccountWindow;
  instrument: InstrumentState;
  /** Set when this FILL completed a trade (both FILLs seen). */
  trade: CompletedTrade | undefined;
  /** The instrument's last trade price before this event (a FILL completing a trade moves it). */
  priceBefore: number | null;
  /** For a NEW LIMIT order: the book and the instrument's order sizes just before it was placed. */
  placement: Placement | undefined;
  emit(finding: Finding): void;
}

/** What a rule sees when event time moves on: everything before `watermarkMs` has been handled. */
export interface WatermarkContext<P> {
  rule: ConfiguredRule<P>;
  watermarkMs: number;
  market: MarketFacts;
  instrument: InstrumentState;
  emit(finding: Finding): void;
}

/**
 * A detection rule: its alert type, its parameters (a zod schema with the defaults)
 * and what it does per event and when event time moves on. A rule's own state lives under
 * `account.rules[rule.id]` or `instrument.rules[rule.id]` (JSON, stored in Redis with the rest).
 */
export interface Rule<P = unknown> {
  type: AlertType;
  parameters: z.ZodType<P>;
  /** How far back (ms) this rule reads the account windows; they are trimmed past the longest. */
  lookbackMs(parameters: P): number;
  onEvent(context: EventContext<P>): void;
  onWatermark?(context: WatermarkContext<P>): void;
}

export function defineRule<P>(rule: Rule<P>): Rule<P> {
  return rule;
}

/** The rule's own state slot, created on first use. */
export function ruleState<T>(holder: { rules: Record<string, unknown> }, ruleId: string, init: () => T): T {
  const existing = holder.rules[ruleId];
  if (existing !== undefined) return existing as T;
  const created = init();
  holder.rules[ruleId] = created;
  return created;
}

/** `14:30:00Z`-style UTC text of an epoch-ms instant, for summaries and alert timestamps. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}
