import { isNonNegativeNumber, isPositiveNumber, isRfc3339, isText } from '../validation/fast-checks';
import { type MarketOrderEvent, ORDER_EVENT_TYPES, ORDER_SIDES, ORDER_TYPES } from './market-order-event.type';

const EVENT_TYPES: ReadonlySet<unknown> = new Set(ORDER_EVENT_TYPES);
const SIDES: ReadonlySet<unknown> = new Set(ORDER_SIDES);
const TYPES: ReadonlySet<unknown> = new Set(ORDER_TYPES);

/**
 * market.orders.v1 without zod, for events that are certainly valid: returns exactly what
 * marketOrderEventSchema (with parse's dropping of undefined fields) returns for them, or
 * undefined to let the schema decide and word the problem. An optional field sent as null,
 * and a beneficialOwnerId key holding undefined, are left to zod too.
 *
 * The value is built in the schema's field order, as zod builds it (JSON producers send it
 * in that order), with a defaulted beneficialOwnerId last, where the schema's transform adds it.
 */
export function fastParseMarketOrderEvent(input: unknown): MarketOrderEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const e = input as Record<string, unknown>;
  const { eventId, eventType, ts, venue, instrument, orderId, accountId, traderId, beneficialOwnerId, side, orderType } = e;
  const { price, quantity, fillQty, fillPrice, tradeId, leavesQty, aggressor } = e;
  if (!isText(eventId, 128) || !EVENT_TYPES.has(eventType) || !isRfc3339(ts, true)) return undefined;
  if (!isText(venue) || !isText(instrument) || !isText(orderId) || !isText(accountId) || !SIDES.has(side)) return undefined;
  if (traderId !== undefined && !isText(traderId)) return undefined;
  if (beneficialOwnerId === undefined ? 'beneficialOwnerId' in e : !isText(beneficialOwnerId)) return undefined;
  if (orderType !== undefined && !TYPES.has(orderType)) return undefined;
  // Each present number valid on its own (price > 0 whatever the order type, as the schema's rule).
  if (price !== undefined && !isPositiveNumber(price)) return undefined;
  if (quantity !== undefined && !isPositiveNumber(quantity)) return undefined;
  if (fillQty !== undefined && !isPositiveNumber(fillQty)) return undefined;
  if (fillPrice !== undefined && !isPositiveNumber(fillPrice)) return undefined;
  if (tradeId !== undefined && !isText(tradeId)) return undefined;
  if (leavesQty !== undefined && !isNonNegativeNumber(leavesQty)) return undefined;
  if (aggressor !== undefined && typeof aggressor !== 'boolean') return undefined;
  // The lifecycle rules of requireLifecycleFields.
  if (eventType === 'NEW' || eventType === 'AMEND') {
    if (orderType === undefined || quantity === undefined || (orderType === 'LIMIT' && price === undefined)) return undefined;
  } else if (eventType === 'FILL') {
    if (fillQty === undefined || fillPrice === undefined || tradeId === undefined || leavesQty === undefined) return undefined;
  }

  const event: Record<string, unknown> = { eventId, eventType, ts, venue, instrument, orderId, accountId };
  if (traderId !== undefined) event['traderId'] = traderId;
  if (beneficialOwnerId !== undefined) event['beneficialOwnerId'] = beneficialOwnerId;
  event['side'] = side;
  if (orderType !== undefined) event['orderType'] = orderType;
  if (price !== undefined) event['price'] = price;
  if (quantity !== undefined) event['quantity'] = quantity;
  if (fillQty !== undefined) event['fillQty'] = fillQty;
  if (fillPrice !== undefined) event['fillPrice'] = fillPrice;
  if (tradeId !== undefined) event['tradeId'] = tradeId;
  if (leavesQty !== undefined) event['leavesQty'] = leavesQty;
  if (aggressor !== undefined) event['aggressor'] = aggressor;
  if (beneficialOwnerId === undefined) event['beneficialOwnerId'] = accountId;
  return event as unknown as MarketOrderEvent;
}
