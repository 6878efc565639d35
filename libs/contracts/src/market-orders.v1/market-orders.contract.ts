import type { Contract } from '../contract';
import { pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { type ContractSpec, defineContract } from '../validation/define-contract';
import { marketOrderEventAvroSchema } from './market-order-event.avsc';
import { fastParseMarketOrderEvent } from './market-order-event.fast-parse';
import { marketOrderEventSchema } from './market-order-event.schema';
import type { MarketOrderEvent } from './market-order-event.type';

export const marketOrdersContractSpec: ContractSpec<MarketOrderEvent> = {
  topic: TOPICS.marketOrders,
  schema: marketOrderEventSchema,
  fastParse: fastParseMarketOrderEvent,
  keyOf: (event) => event.instrument,
  avroSchema: marketOrderEventAvroSchema,
  toAvro: (event) => pickForAvro(event, marketOrderEventAvroSchema.fields),
  fromAvro: withoutNulls,
};

/** market.orders.v1: order lifecycle events from trading platforms, keyed by instrument. */
export const marketOrdersContract: Contract<MarketOrderEvent> = defineContract(marketOrdersContractSpec);
