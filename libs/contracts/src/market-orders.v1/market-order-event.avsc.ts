import type { AvroRecordSchema } from '../contract';
import { avroEnum, optional, required } from '../avro/avro-fields';
import { ORDER_EVENT_TYPES, ORDER_SIDES, ORDER_TYPES } from './market-order-event.type';

/** Avro form of market.orders.v1, registered as `<topic>-value`. Same fields as the JSON form. */
export const marketOrderEventAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'MarketOrderEvent',
  namespace: 'dev.vigil.market.orders.v1',
  doc: 'One change of an order state as the venue or OMS reports it (market.orders.v1, key: instrument).',
  fields: [
    required('eventId', 'string', 'Unique per event, 1-128 characters; a repeat is a duplicate.'),
    required('eventType', avroEnum('OrderEventType', ORDER_EVENT_TYPES)),
    required('ts', 'string', 'Event time at the venue, RFC 3339 UTC with Z, up to 9 fractional digits.'),
    required('venue', 'string', 'ISO 10383 MIC, e.g. XLON.'),
    required('instrument', 'string', 'ISIN or venue symbol.'),
    required('orderId', 'string', 'Venue order id, stable across amendments.'),
    required('accountId', 'string', 'Trading account that owns the order.'),
    optional('traderId', 'string', 'Person or algorithm that took the decision.'),
    optional('beneficialOwnerId', 'string', 'Ultimate owner; absent means accountId.'),
    required('side', avroEnum('OrderSide', ORDER_SIDES)),
    optional('orderType', avroEnum('OrderType', ORDER_TYPES), 'Required for NEW and AMEND.'),
    optional('price', 'double', 'Limit price > 0; required for NEW/AMEND of a LIMIT order.'),
    optional('quantity', 'double', 'Total order quantity > 0; required for NEW and AMEND.'),
    optional('fillQty', 'double', 'Quantity executed by this fill (> 0); required for FILL.'),
    optional('fillPrice', 'double', 'Execution price (> 0); required for FILL.'),
    optional('tradeId', 'string', "Same on both sides' FILL events of one trade; required for FILL."),
    optional('leavesQty', 'double', 'Open quantity left after this fill (>= 0); required for FILL.'),
    optional('aggressor', 'boolean', 'FILL only: true when this order took liquidity.'),
  ],
};
