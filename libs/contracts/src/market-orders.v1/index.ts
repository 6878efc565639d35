export * from './market-order-event.type';
export { marketOrderEventSchema } from './market-order-event.schema';
export { marketOrderEventAvroSchema } from './market-order-event.avsc';
export { marketOrdersContract } from './market-orders.contract';
