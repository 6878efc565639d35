import { exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { Type } from 'avsc';
import { AvroCodec, frameAvro, unframeAvro } from './avro.codec';
import { DecodeError, SchemaRegistryUnavailable } from './decode-error';
import { FakeRegistry } from '../test-support/fake-registry';

const topic = 't1.market.orders.v1';

async function decodeError(work: Promise<unknown>): Promise<DecodeError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('Confluent Avro framing', () => {
  it('is magic byte 0, the schema id as 4 big-endian bytes, then the body', () => {
    const frame = frameAvro(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...frame]).toEqual([0, 1, 2, 3, 4, 0xaa, 0xbb]);
    expect(unframeAvro(topic, frame)).toEqual({ schemaId: 0x01020304, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('rejects a frame shorter than its 5-byte header', () => {
    expect(() => unframeAvro(topic, Buffer.from([0, 0, 1]))).toThrow(
      expect.objectContaining({ kind: 'bad-avro-frame', message: expect.stringContaining('3 bytes long') }),
    );
  });
});

describe('AvroCodec', () => {
  it('registers the contract schema under <topic>-value once, and round-trips an event', async () => {
    const registry = new FakeRegistry();
    const codec = new AvroCodec(registry);
    const event = marketOrdersContract.parse(exampleOrderEvent());
    const first = await codec.encode(topic, marketOrdersContract, event);
    await codec.encode(topic, marketOrdersContract, event);
    expect(registry.registrations).toBe(1);
    expect(registry.subjects.get(`${topic}-value`)).toBe(1);
    expect(first[0]).toBe(0);
    expect(first.readUInt32BE(1)).toBe(1);
    const record = await codec.decode(topic, marketOrdersContract, first);
    expect(marketOrdersContract.parse(marketOrdersContract.fromAvro(record))).toEqual(event);
  });

  it('retries a registration that failed instead of remembering the failure', async () => {
    const registry = new FakeRegistry();
    const codec = new AvroCodec(registry);
    const event = marketOrdersContract.parse(exampleOrderEvent());
    registry.down = true;
    await expect(codec.encode(topic, marketOrdersContract, event)).rejects.toBeInstanceOf(SchemaRegistryUnavailable);
    registry.down = false;
    await expect(codec.encode(topic, marketOrdersContract, event)).resolves.toBeInstanceOf(Buffer);
    expect(registry.registrations).toBe(2);
  });

  it('names an unknown schema id', async () => {
    const codec = new AvroCodec(new FakeRegistry());
    const error = await decodeError(codec.decode(topic, marketOrdersContract, frameAvro(999999, Buffer.from([2, 0]))));
    expect(error.kind).toBe('unknown-schema-id');
    expect(error.schemaId).toBe(999999);
    expect(error.message).toContain('schema id 999999');
  });

  it('reports a body that does not decode with its schema as bad-avro-frame', async () => {
    const registry = new FakeRegistry();
    const codec = new AvroCodec(registry);
    const good = await codec.encode(topic, marketOrdersContract, marketOrdersContract.parse(exampleOrderEvent()));
    const truncated = good.subarray(0, good.length - 7);
    const error = await decodeError(codec.decode(topic, marketOrdersContract, truncated));
    expect(error.kind).toBe('bad-avro-frame');
    expect(error.schemaId).toBe(1);
  });

  it('reports a writer schema that cannot be read as the contract schema', async () => {
    const registry = new FakeRegistry();
    registry.schemas.set(7, { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] });
    const codec = new AvroCodec(registry);
    const body = Type.forSchema(registry.schemas.get(7) as never).toBuffer({ x: 1 });
    const error = await decodeError(codec.decode(topic, marketOrdersContract, frameAvro(7, body)));
    expect(error.kind).toBe('bad-avro-frame');
    expect(error.message).toContain('schema id 7 cannot be read as');
  });

  it('reads a newer writer schema with an extra optional field into the contract shape', async () => {
    const registry = new FakeRegistry();
    const schema = marketOrdersContract.avroSchema;
    const newer = { ...schema, fields: [...schema.fields, { name: 'extra', type: ['null', 'string'], default: null }] };
    registry.schemas.set(3, newer);
    const event = marketOrdersContract.parse(exampleOrderEvent());
    const body = Type.forSchema(newer as never).toBuffer({ ...marketOrdersContract.toAvro(event), extra: 'later field' });
    const record = await new AvroCodec(registry).decode(topic, marketOrdersContract, frameAvro(3, body));
    expect(record).not.toHaveProperty('extra');
    expect(marketOrdersContract.parse(marketOrdersContract.fromAvro(record))).toEqual(event);
  });

  it('lets a registry outage through as transient (not a DecodeError), and caches known ids', async () => {
    const registry = new FakeRegistry();
    const codec = new AvroCodec(registry);
    const frame = await codec.encode(topic, marketOrdersContract, marketOrdersContract.parse(exampleOrderEvent()));
    registry.down = true;
    await expect(codec.decode(topic, marketOrdersContract, frame)).rejects.toBeInstanceOf(SchemaRegistryUnavailable);
    registry.down = false;
    await codec.decode(topic, marketOrdersContract, frame);
    const lookups = registry.lookups;
    await codec.decode(topic, marketOrdersContract, frame);
    expect(registry.lookups).toBe(lookups);
  });
});
