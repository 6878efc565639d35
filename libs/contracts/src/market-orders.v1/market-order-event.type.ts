export const ORDER_EVENT_TYPES = ['NEW', 'AMEND', 'CANCEL', 'FILL', 'REJECT', 'EXPIRE'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_TYPES = ['LIMIT', 'MARKET'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/**
 * Every field of a market.orders.v1 event as parse() returns it; which of the optional ones
 * are present depends on eventType (see MarketOrderEvent). Timestamps stay RFC 3339 strings
 * (nanosecond precision); use rfc3339ToEpochNanos/Ms for arithmetic.
 */
export interface MarketOrderEventFields {
  eventId: string;
  eventType: OrderEventType;
  /** Event time at the venue, RFC 3339 UTC (`Z`). */
  ts: string;
  /** ISO 10383 MIC, e.g. XLON (not checked against the MIC list). */
  venue: string;
  /** ISIN or venue symbol; the message key. */
  instrument: string;
  orderId: string;
  accountId: string;
  traderId?: string;
  /** Always set after parse(): the sender's value, or accountId when the sender left it out. */
  beneficialOwnerId: string;
  side: OrderSide;
  orderType?: OrderType;
  price?: number;
  quantity?: number;
  fillQty?: number;
  fillPrice?: number;
  tradeId?: string;
  leavesQty?: number;
  aggressor?: boolean;
}

/** NEW or AMEND: carries the order's type and (new) total quantity; price when LIMIT. */
export interface OrderEntryEvent extends MarketOrderEventFields {
  eventType: 'NEW' | 'AMEND';
  orderType: OrderType;
  quantity: number;
  /** Present (> 0) when orderType is LIMIT; may be present on a MARKET order. */
  price?: number;
}

/** FILL: one execution; leavesQty 0 closes the order. */
export interface OrderFillEvent extends MarketOrderEventFields {
  eventType: 'FILL';
  fillQty: number;
  fillPrice: number;
  tradeId: string;
  leavesQty: number;
}

/** CANCEL, REJECT or EXPIRE: ends the order's open quantity. */
export interface OrderEndEvent extends MarketOrderEventFields {
  eventType: 'CANCEL' | 'REJECT' | 'EXPIRE';
}

/** A valid market.orders.v1 event; narrow on eventType to get the fields that type requires. */
export type MarketOrderEvent = OrderEntryEvent | OrderFillEvent | OrderEndEvent;
