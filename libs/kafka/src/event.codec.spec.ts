import { exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { FakeRegistry } from '../test-support/fake-registry';
import { frameAvro } from './avro.codec';
import { DecodeError } from './decode-error';
import { EventCodec } from './event.codec';

const topic = 't2.market.orders.v1';

async function decodeError(codec: EventCodec, bytes: Buffer | null): Promise<DecodeError> {
  try {
    await codec.decode(topic, marketOrdersContract, bytes);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('EventCodec', () => {
  const event = marketOrdersContract.parse(exampleOrderEvent());

  it('produces JSON without a registry and Avro with one', async () => {
    const json = new EventCodec(undefined);
    const avro = new EventCodec(new FakeRegistry());
    expect(json.producesAs).toBe('json');
    expect(avro.producesAs).toBe('avro');
    expect(JSON.parse((await json.encode(topic, marketOrdersContract, event)).toString())).toEqual(event);
    expect((await avro.encode(topic, marketOrdersContract, event))[0]).toBe(0);
  });

  it('reads JSON and Avro from the same topic, telling them apart by the first byte', async () => {
    const codec = new EventCodec(new FakeRegistry());
    const asAvro = await codec.encode(topic, marketOrdersContract, event);
    const asJson = Buffer.from(JSON.stringify(exampleOrderEvent({ eventId: event.eventId })));
    await expect(codec.decode(topic, marketOrdersContract, asAvro)).resolves.toEqual({ value: event, encoding: 'avro' });
    await expect(codec.decode(topic, marketOrdersContract, asJson)).resolves.toEqual({ value: event, encoding: 'json' });
  });

  it('turns a contract violation into a DecodeError naming the field', async () => {
    const codec = new EventCodec(undefined);
    const { price: _omitted, ...missingPrice } = exampleOrderEvent();
    const missing = await decodeError(codec, Buffer.from(JSON.stringify(missingPrice)));
    expect(missing.kind).toBe('contract-violation');
    expect(missing.field).toBe('price');
    const wrongType = await decodeError(codec, Buffer.from(JSON.stringify({ ...exampleOrderEvent(), quantity: 'lots' })));
    expect(wrongType.kind).toBe('contract-violation');
    expect(wrongType.field).toBe('quantity');
    expect(wrongType.message).toContain('"quantity"');
  });

  it('validates Avro events too', async () => {
    const registry = new FakeRegistry();
    const codec = new EventCodec(registry);
    // An Avro-valid record the contract rejects: a non-positive price.
    const bad = { ...marketOrdersContract.toAvro(event), price: -1 };
    const id = await registry.register(`${topic}-value`, marketOrdersContract.avroSchema);
    const { Type } = await import('avsc');
    const frame = frameAvro(id, Type.forSchema(marketOrdersContract.avroSchema as never).toBuffer(bad));
    const error = await decodeError(codec, frame);
    expect(error.kind).toBe('contract-violation');
    expect(error.field).toBe('price');
  });

  it('dead-letters an Avro frame when no registry is configured, saying what to set', async () => {
    const error = await decodeError(new EventCodec(undefined), frameAvro(1, Buffer.from([2])));
    expect(error.kind).toBe('bad-avro-frame');
    expect(error.message).toContain('VIGIL_SCHEMA_REGISTRY_URL');
  });

  it('reports garbage as bad JSON', async () => {
    const error = await decodeError(new EventCodec(new FakeRegistry()), Buffer.from('garbage'));
    expect(error.kind).toBe('bad-json');
  });
});
