import { z } from 'zod';
import {
  nonNegativeNumber,
  optional,
  positiveNumber,
  text,
  utcTimestamp,
} from '../validation/fields.schema';
import {
  type MarketOrderEvent,
  ORDER_EVENT_TYPES,
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderEventType,
} from './market-order-event.type';

// Every known field, each checked on its own wherever it appears. Which fields an event
// type requires is checked afterwards (requireLifecycleFields), once the fields are sound.
// Unknown fields are dropped from the typed value: senders may add fields (CONTRACTS.md
// lets the contract grow by optional fields) without breaking older consumers.
const orderEventFields = z.object({
  eventId: text({ maxLength: 128 }),
  eventType: z.enum(ORDER_EVENT_TYPES),
  ts: utcTimestamp(),
  venue: text(),
  instrument: text(),
  orderId: text(),
  accountId: text(),
  traderId: optional(text()),
  beneficialOwnerId: optional(text()),
  side: z.enum(ORDER_SIDES),
  orderType: optional(z.enum(ORDER_TYPES)),
  // > 0 is checked with the order type in view, for a message that names it.
  price: optional(z.number()),
  quantity: optional(positiveNumber()),
  fillQty: optional(positiveNumber()),
  fillPrice: optional(positiveNumber()),
  tradeId: optional(text()),
  leavesQty: optional(nonNegativeNumber()),
  aggressor: optional(z.boolean()),
});

type OrderEventFields = z.output<typeof orderEventFields>;

/**
 * market.orders.v1 event: validates, then fills beneficialOwnerId with accountId when absent
 * (the contract's default, applied once here so no consumer has to remember it).
 */
export const marketOrderEventSchema = orderEventFields
  .superRefine(requireLifecycleFields)
  .transform(
    (event): MarketOrderEvent =>
      ({ ...event, beneficialOwnerId: event.beneficialOwnerId ?? event.accountId }) as MarketOrderEvent,
  );

function requireLifecycleFields(event: OrderEventFields, ctx: z.RefinementCtx): void {
  const problem = (field: keyof OrderEventFields, message: string) =>
    ctx.addIssue({ code: 'custom', path: [field], message });
  const require = (field: keyof OrderEventFields, what: string) => {
    if (event[field] === undefined) problem(field, `is required for ${what}`);
  };
  const { eventType, orderType, price } = event;

  if (eventType === 'NEW' || eventType === 'AMEND') {
    require('orderType', `${article(eventType)} ${eventType} event`);
    if (orderType === 'LIMIT') require('price', `a LIMIT ${eventType} order`);
  }
  if (price !== undefined && price <= 0) {
    const context = orderType === 'LIMIT' && isEntry(eventType) ? ` for a LIMIT ${eventType} order` : '';
    problem('price', `must be > 0${context} (got number)`);
  }
  if (isEntry(eventType)) require('quantity', `${article(eventType)} ${eventType} event`);
  if (eventType === 'FILL') {
    for (const field of ['fillQty', 'fillPrice', 'tradeId', 'leavesQty'] as const) require(field, 'a FILL event');
  }
}

function isEntry(eventType: OrderEventType): boolean {
  return eventType === 'NEW' || eventType === 'AMEND';
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}
