import type { MarketOrderEventFields, OrderSide } from '@vigil/contracts';

/** A trading account of the simulated market. */
export interface SimAccount {
  accountId: string;
  /** Set only when it differs from the account (wash trades need two accounts of one owner). */
  beneficialOwnerId?: string;
  traderId?: string;
}

interface RestingOrder {
  orderId: string;
  account: SimAccount;
  side: OrderSide;
  ticks: number;
  quantity: number;
  filled: number;
  /** Time priority: lower first; a price change or a larger size loses it, as on a real venue. */
  priority: number;
}

/** An event before the simulator stamps it with its eventId and ts. */
export type UnstampedEvent = Omit<MarketOrderEventFields, 'eventId' | 'ts' | 'beneficialOwnerId'> & { beneficialOwnerId?: string };

const opposite = (side: OrderSide): OrderSide => (side === 'BUY' ? 'SELL' : 'BUY');

/**
 * One instrument's order book with price-time matching, so that every order, amendment,
 * cancel and fill the simulator writes is consistent with a real venue's (fills pair by
 * tradeId, leavesQty adds up, an AMEND states the new total). Prices are held in integer
 * ticks and written as decimals.
 */
export class SimBook {
  private readonly orders = new Map<string, RestingOrder>();
  private priority = 0;
  private orderSeq = 0;
  private tradeSeq = 0;
  private readonly decimals: number;

  constructor(
    readonly venue: string,
    readonly instrument: string,
    readonly tickSize: number,
    private readonly emit: (event: UnstampedEvent) => void,
    /** Prefix of order and trade ids (a demo feed's cycles must not reuse the ids of the last one). */
    private readonly idPrefix = '',
  ) {
    this.decimals = Math.max(0, Math.ceil(-Math.log10(tickSize) - 1e-9));
  }

  price(ticks: number): number {
    return Number((ticks * this.tickSize).toFixed(this.decimals));
  }

  has(orderId: string): boolean {
    return this.orders.has(orderId);
  }

  /** Open quantity of a resting order (0 once it is gone). */
  leaves(orderId: string): number {
    const order = this.orders.get(orderId);
    return order ? order.quantity - order.filled : 0;
  }

  ticksOf(orderId: string): number | undefined {
    return this.orders.get(orderId)?.ticks;
  }

  /** Best price (ticks) on a side, leaving out one account's own orders when asked. */
  best(side: OrderSide, excludeAccount?: string): number | undefined {
    let best: number | undefined;
    for (const o of this.orders.values()) {
      if (o.side !== side || o.account.accountId === excludeAccount) continue;
      if (best === undefined || (side === 'BUY' ? o.ticks > best : o.ticks < best)) best = o.ticks;
    }
    return best;
  }

  /** Open quantity at one price on a side (optionally without one account's orders). */
  quantityAt(side: OrderSide, ticks: number, excludeAccount?: string): number {
    let sum = 0;
    for (const o of this.orders.values()) if (o.side === side && o.ticks === ticks && o.account.accountId !== excludeAccount) sum += o.quantity - o.filled;
    return sum;
  }

  /** The top `levels` price levels of a side with their open quantity, best first. */
  depth(side: OrderSide, levels: number): { ticks: number; quantity: number }[] {
    const byPrice = new Map<number, number>();
    for (const o of this.orders.values()) if (o.side === side) byPrice.set(o.ticks, (byPrice.get(o.ticks) ?? 0) + o.quantity - o.filled);
    return [...byPrice]
      .sort((a, b) => (side === 'BUY' ? b[0] - a[0] : a[0] - b[0]))
      .slice(0, levels)
      .map(([ticks, quantity]) => ({ ticks, quantity }));
  }

  /** An account's resting orders on a side, as [orderId, ticks]. */
  ordersOf(accountId: string, side: OrderSide): [string, number][] {
    const mine: [string, number][] = [];
    for (const o of this.orders.values()) if (o.account.accountId === accountId && o.side === side) mine.push([o.orderId, o.ticks]);
    return mine;
  }

  allOrderIds(): string[] {
    return [...this.orders.keys()];
  }

  /** A LIMIT order: NEW, then whatever it crosses trades, the rest rests. */
  limit(account: SimAccount, side: OrderSide, ticks: number, quantity: number): string {
    const orderId = this.nextOrderId();
    this.emit({ ...this.common(account, orderId, side), eventType: 'NEW', orderType: 'LIMIT', price: this.price(ticks), quantity });
    const order: RestingOrder = { orderId, account, side, ticks, quantity, filled: 0, priority: this.priority++ };
    this.match(order, ticks);
    if (order.filled < order.quantity) this.orders.set(orderId, order);
    return orderId;
  }

  /** A MARKET order: NEW, trades against the book; what finds no liquidity expires. */
  market(account: SimAccount, side: OrderSide, quantity: number): string {
    const orderId = this.nextOrderId();
    this.emit({ ...this.common(account, orderId, side), eventType: 'NEW', orderType: 'MARKET', quantity });
    const order: RestingOrder = { orderId, account, side, ticks: side === 'BUY' ? Number.MAX_SAFE_INTEGER : 0, quantity, filled: 0, priority: this.priority++ };
    this.match(order, order.ticks);
    if (order.filled < order.quantity) this.emit({ ...this.common(account, orderId, side), eventType: 'EXPIRE' });
    return orderId;
  }

  /** AMEND to a new price and/or total quantity (the total stays above what was filled). */
  amend(orderId: string, change: { ticks?: number; quantity?: number }): void {
    const order = this.orders.get(orderId);
    if (!order) return;
    const ticks = change.ticks ?? order.ticks;
    const quantity = Math.max(change.quantity ?? order.quantity, order.filled + 1);
    if (ticks === order.ticks && quantity === order.quantity) return;
    if (ticks !== order.ticks || quantity > order.quantity) order.priority = this.priority++;
    order.ticks = ticks;
    order.quantity = quantity;
    this.emit({ ...this.common(order.account, orderId, order.side), eventType: 'AMEND', orderType: 'LIMIT', price: this.price(ticks), quantity });
    this.orders.delete(orderId);
    this.match(order, ticks);
    if (order.filled < order.quantity) this.orders.set(orderId, order);
  }

  cancel(orderId: string): void {
    const order = this.orders.get(orderId);
    if (!order) return;
    this.orders.delete(orderId);
    this.emit({ ...this.common(order.account, orderId, order.side), eventType: 'CANCEL' });
  }

  /** The venue closes: every resting order expires. */
  expireAll(): void {
    for (const order of [...this.orders.values()]) {
      this.orders.delete(order.orderId);
      this.emit({ ...this.common(order.account, order.orderId, order.side), eventType: 'EXPIRE' });
    }
  }

  private match(taker: RestingOrder, limitTicks: number): void {
    const crosses = (o: RestingOrder) => o.side === opposite(taker.side) && (taker.side === 'BUY' ? o.ticks <= limitTicks : o.ticks >= limitTicks);
    const queue = [...this.orders.values()].filter(crosses).sort((a, b) => (a.ticks !== b.ticks ? (taker.side === 'BUY' ? a.ticks - b.ticks : b.ticks - a.ticks) : a.priority - b.priority));
    for (const maker of queue) {
      const qty = Math.min(taker.quantity - taker.filled, maker.quantity - maker.filled);
      if (qty <= 0) break;
      taker.filled += qty;
      maker.filled += qty;
      const tradeId = `T-${this.idPrefix}${this.instrument}-${++this.tradeSeq}`;
      const fillPrice = this.price(maker.ticks);
      this.emit({ ...this.common(taker.account, taker.orderId, taker.side), eventType: 'FILL', fillQty: qty, fillPrice, tradeId, leavesQty: taker.quantity - taker.filled, aggressor: true });
      this.emit({ ...this.common(maker.account, maker.orderId, maker.side), eventType: 'FILL', fillQty: qty, fillPrice, tradeId, leavesQty: maker.quantity - maker.filled, aggressor: false });
      if (maker.filled >= maker.quantity) this.orders.delete(maker.orderId);
      if (taker.filled >= taker.quantity) break;
    }
  }

  private nextOrderId(): string {
    return `${this.idPrefix}${this.instrument}-${++this.orderSeq}`;
  }

  private common(account: SimAccount, orderId: string, side: OrderSide) {
    return {
      venue: this.venue,
      instrument: this.instrument,
      orderId,
      accountId: account.accountId,
      ...(account.traderId !== undefined ? { traderId: account.traderId } : {}),
      ...(account.beneficialOwnerId !== undefined ? { beneficialOwnerId: account.beneficialOwnerId } : {}),
      side,
    };
  }
}
