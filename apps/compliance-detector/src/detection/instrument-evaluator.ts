import { RuleBook } from '../config/rule-book';
import type { ConfiguredRule, EventContext, Finding, MarketFacts } from '../rules/rule';
import { ruleOf } from '../rules/rule.registry';
import { emptyAccountWindow, recordInAccount, trimAccountWindow, type AccountWindow } from '../windows/account-window';
import { byEventTime, type TimedEvent } from '../windows/event-time';
import type { CompletedTrade, InstrumentState, TradeHalf } from '../windows/instrument-state';
import { addNewOrderSize, emptyNewOrderSizes, medianNewOrderSize } from '../windows/new-order-sizes';
import { applyToBook, bestPrice, emptyOrderBook } from '../windows/order-book';
import type { Placement } from '../rules/rule';

/** The window of the instrument's median NEW-order size (the 30 min). */
const ORDER_SIZE_WINDOW_MS = 1_800_000;

/** One released event in this many has its rules timed (the metric is an estimate, its cost negligible). */
const RULE_TIMING_SAMPLE = 16;

/** How long a FILL waits for the other FILL of its trade (event time) before it is forgotten. */
const OPEN_TRADE_MS = 60_000;

/** One instrument's share of a batch with the state it needs, as loaded from Redis. */
export interface InstrumentWork {
  market: MarketFacts;
  state: InstrumentState;
  /** Windows of the accounts the batch and the pending events touch; missing ones start empty. */
  accounts: Map<string, AccountWindow>;
  /** New events, duplicates already removed. */
  incoming: TimedEvent[];
}

export interface RuleFinding {
  rule: ConfiguredRule;
  finding: Finding;
}

export interface EvaluationResult {
  findings: RuleFinding[];
  /** Events accepted into the pending set (their eventIds are remembered). */
  accepted: TimedEvent[];
  /** Events older than the watermark: too late to be put in order, skipped. */
  late: TimedEvent[];
  /** Events handled by the rules in this call (they left the pending set). */
  released: TimedEvent[];
  /** Rule evaluations by rule id. */
  evaluations: Map<string, number>;
  /** Time the rules took (s) by rule id, estimated from every RULE_TIMING_SAMPLE-th event (timing all of them would cost more than some rules). */
  ruleSeconds: Map<string, number>;
  /** Accounts whose windows changed. */
  touched: Set<string>;
}

/**
 * The in-memory heart of detection for one instrument: takes the batch's events into the
 * pending set, moves the watermark (newest event time − lateness, or `advanceToMs` when
 * that is later, or everything when flushing), hands the events behind it to the shared windows and the rules in event-time
 * order, and lets the rules close what the watermark passed. Mutates `work.state` and the
 * account windows; the caller writes them back.
 */
export function evaluateInstrument(
  work: InstrumentWork,
  rules: ConfiguredRule[],
  latenessMs: number,
  options: { flush?: boolean; advanceToMs?: number } = {},
): EvaluationResult {
  const { state, accounts, market } = work;
  // State saved by an earlier version has no book yet.
  state.book ??= emptyOrderBook();
  state.newOrderSizes ??= emptyNewOrderSizes();
  const result: EvaluationResult = { findings: [], accepted: [], late: [], released: [], evaluations: new Map(), ruleSeconds: new Map(), touched: new Set() };

  for (const timed of work.incoming) {
    if (state.watermarkMs !== null && timed.tsMs < state.watermarkMs) {
      result.late.push(timed);
      continue;
    }
    state.pending.push(timed);
    result.accepted.push(timed);
    state.maxTsMs = state.maxTsMs === null ? timed.tsMs : Math.max(state.maxTsMs, timed.tsMs);
  }
  if (state.maxTsMs === null) return result;

  // The idle flush moves event time on by wall time for an instrument no event moved for a while.
  const target = options.flush ? state.maxTsMs + 1 : Math.max(state.maxTsMs - latenessMs, options.advanceToMs ?? Number.NEGATIVE_INFINITY);
  if (state.watermarkMs !== null && target <= state.watermarkMs) return result;
  const watermarkMs = target;

  const ready = state.pending.filter((t) => t.tsMs < watermarkMs).sort(byEventTime);
  state.pending = state.pending.filter((t) => t.tsMs >= watermarkMs);
  state.watermarkMs = watermarkMs;

  const emitFor = (rule: ConfiguredRule) => (finding: Finding) => result.findings.push({ rule, finding });
  // Resolved once per call, not per event.
  const bound = rules.map((rule) => ({ rule, impl: ruleOf(rule.type), emit: emitFor(rule) }));
  // One context for the whole call, its fields set per event and rule: a fresh object per rule per
  // event was most of the evaluation's garbage. Rules read it during onEvent and keep no reference.
  const context: EventContext<unknown> = {
    rule: rules[0],
    event: undefined as unknown as TimedEvent['event'],
    tsMs: 0,
    market,
    account: undefined as unknown as AccountWindow,
    instrument: state,
    trade: undefined,
    priceBefore: null,
    placement: undefined,
    emit: () => undefined,
  };
  for (let index = 0; index < ready.length; index++) {
    const { event, tsMs } = ready[index];
    let placement: Placement | undefined;
    if (event.eventType === 'NEW' && event.orderType === 'LIMIT') {
      placement = {
        bestSameSide: bestPrice(state.book, event.side),
        medianNewQuantity: medianNewOrderSize(state.newOrderSizes, tsMs, ORDER_SIZE_WINDOW_MS),
        ordersSeen: state.newOrderSizes.seen,
      };
    }
    if (event.eventType === 'NEW') addNewOrderSize(state.newOrderSizes, tsMs, event.quantity, ORDER_SIZE_WINDOW_MS);
    applyToBook(state.book, event);
    const account = accountOf(accounts, event.accountId);
    result.touched.add(event.accountId);
    recordInAccount(account, event, tsMs);
    const priceBefore = state.lastPrice;
    const trade = event.eventType === 'FILL' ? pairFill(state, event, tsMs) : undefined;
    const timing = index % RULE_TIMING_SAMPLE === 0;
    context.event = event;
    context.tsMs = tsMs;
    context.account = account;
    context.trade = trade;
    context.priceBefore = priceBefore;
    context.placement = placement;
    for (const { rule, impl, emit } of bound) {
      const started = timing ? performance.now() : 0;
      context.rule = rule;
      context.emit = emit;
      impl.onEvent(context as never);
      if (timing) result.ruleSeconds.set(rule.id, (result.ruleSeconds.get(rule.id) ?? 0) + ((performance.now() - started) / 1000) * RULE_TIMING_SAMPLE);
    }
  }
  result.released = ready;
  // Every rule looks at every released event.
  for (const rule of rules) result.evaluations.set(rule.id, ready.length);

  // A flush closes everything: the stream is over.
  const closeAt = options.flush ? Number.MAX_SAFE_INTEGER : watermarkMs;
  for (const { rule, impl, emit } of bound) impl.onWatermark?.({ rule: rule as never, watermarkMs: closeAt, market, instrument: state, emit });

  const keepAfterMs = watermarkMs - RuleBook.lookbackMs(rules) - 1;
  for (const id of result.touched) trimAccountWindow(accountOf(accounts, id), keepAfterMs);
  for (const [tradeId, half] of Object.entries(state.openTrades)) {
    if (half.tsMs < watermarkMs - OPEN_TRADE_MS) delete state.openTrades[tradeId];
  }
  return result;
}

function accountOf(accounts: Map<string, AccountWindow>, accountId: string): AccountWindow {
  let window = accounts.get(accountId);
  if (!window) {
    window = emptyAccountWindow();
    accounts.set(accountId, window);
  }
  return window;
}

/** Matches a FILL with the other FILL of its trade; the trade counts once, when its second FILL comes. */
function pairFill(state: InstrumentState, event: TimedEvent['event'], tsMs: number): CompletedTrade | undefined {
  if (event.eventType !== 'FILL') return undefined;
  const half: TradeHalf = {
    side: event.side,
    orderId: event.orderId,
    accountId: event.accountId,
    beneficialOwnerId: event.beneficialOwnerId,
    ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
    qty: event.fillQty,
    price: event.fillPrice,
    tsMs,
  };
  const other = state.openTrades[event.tradeId];
  if (!other || other.side === half.side) {
    // The first FILL of the trade (or a second one on the same side, which cannot complete it).
    if (!other) state.openTrades[event.tradeId] = half;
    return undefined;
  }
  delete state.openTrades[event.tradeId];
  state.lastPrice = half.price;
  const [buy, sell] = half.side === 'BUY' ? [half, other] : [other, half];
  return { tradeId: event.tradeId, buy, sell, qty: Math.min(buy.qty, sell.qty), price: half.price, tsMs };
}
