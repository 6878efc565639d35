import type { MarketOrderEvent, OrderSide } from '@vigil/contracts';

/** An open LIMIT order as the book keeps it. */
export interface BookOrder {
  side: OrderSide;
  price: number;
  /** The order's total quantity (the latest NEW/AMEND) and what is still open of it. */
  quantity: number;
  leaves: number;
  accountId: string;
}

/**
 * One instrument's order book rebuilt from the events: open LIMIT orders and the quantity
 * at each price level per side (price levels keyed by the price's decimal text).
 */
export interface OrderBook {
  orders: Record<string, BookOrder>;
  levels: Record<OrderSide, Record<string, number>>;
}

export function emptyOrderBook(): OrderBook {
  return { orders: {}, levels: { BUY: {}, SELL: {} } };
}

/** Best price on a side: the highest bid or the lowest ask; undefined when the side is empty. */
export function bestPrice(book: OrderBook, side: OrderSide): number | undefined {
  // A loop over the level keys, not Object.keys + spread: asked at every NEW/AMEND LIMIT, twice.
  let best: number | undefined;
  for (const key in book.levels[side]) {
    const price = Number(key);
    if (best === undefined || (side === 'BUY' ? price > best : price < best)) best = price;
  }
  return best;
}

/** Applies a released event: NEW/AMEND place or move the order, FILL reduces it, CANCEL/REJECT/EXPIRE remove it. */
export function applyToBook(book: OrderBook, event: MarketOrderEvent): void {
  const existing = book.orders[event.orderId];
  if (existing) take(book, existing);
  switch (event.eventType) {
    case 'NEW':
    case 'AMEND': {
      if (event.orderType !== 'LIMIT' || event.price === undefined) {
        delete book.orders[event.orderId];
        return;
      }
      // An AMEND states the order's new total quantity; what was filled stays filled.
      const filled = existing ? Math.max(0, existing.quantity - existing.leaves) : 0;
      const order: BookOrder = { side: event.side, price: event.price, quantity: event.quantity, leaves: Math.max(0, event.quantity - filled), accountId: event.accountId };
      put(book, event.orderId, order);
      return;
    }
    case 'FILL':
      if (existing && event.leavesQty > 0) put(book, event.orderId, { ...existing, leaves: event.leavesQty });
      else delete book.orders[event.orderId];
      return;
    default:
      delete book.orders[event.orderId];
  }
}

function put(book: OrderBook, orderId: string, order: BookOrder): void {
  if (order.leaves <= 0) {
    delete book.orders[orderId];
    return;
  }
  book.orders[orderId] = order;
  const key = String(order.price);
  book.levels[order.side][key] = (book.levels[order.side][key] ?? 0) + order.leaves;
}

function take(book: OrderBook, order: BookOrder): void {
  const key = String(order.price);
  const rest = (book.levels[order.side][key] ?? 0) - order.leaves;
  if (rest > 1e-9) book.levels[order.side][key] = rest;
  else delete book.levels[order.side][key];
}
