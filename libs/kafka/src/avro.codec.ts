import type { AvroRecordSchema, Contract } from '@vigil/contracts';
import { Type, type Resolver } from 'avsc';
import { DecodeError } from './decode-error';
import type { SchemaRegistry } from './schema-registry';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro body. */
export const AVRO_MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function frameAvro(schemaId: number, body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  frame.writeUInt8(AVRO_MAGIC_BYTE, 0);
  frame.writeUInt32BE(schemaId, 1);
  body.copy(frame, HEADER_LENGTH);
  return frame;
}

/** Splits a frame whose first byte is already known to be the magic byte. */
export function unframeAvro(topic: string, bytes: Buffer): { schemaId: number; body: Buffer } {
  if (bytes.length < HEADER_LENGTH) {
    throw new DecodeError(
      'bad-avro-frame',
      topic,
      `value starts with the Avro magic byte but is ${bytes.length} bytes long; a Confluent frame needs at least ${HEADER_LENGTH}`,
    );
  }
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(HEADER_LENGTH) };
}

/**
 * Avro through the registry. Producing registers the contract's schema under
 * `<topic>-value` (the topic as produced, prefix included) once per topic; consuming
 * reads with the writer schema named in the frame, resolved into the contract's schema,
 * so an added optional field on the producer side does not break older consumers.
 */
export class AvroCodec {
  private readonly subjectIds = new Map<string, Promise<number>>();
  private readonly types = new WeakMap<AvroRecordSchema, Type>();
  /** Per reader type, the resolver from each writer schema id seen. */
  private readonly resolvers = new WeakMap<Type, Map<number, Resolver>>();

  constructor(private readonly registry: SchemaRegistry) {}

  async encode<T>(topic: string, contract: Contract<T>, value: T): Promise<Buffer> {
    const schemaId = await this.schemaIdFor(topic, contract);
    return frameAvro(schemaId, this.typeOf(contract.avroSchema).toBuffer(contract.toAvro(value)));
  }

  /** Returns the record in the contract's Avro shape; the caller applies fromAvro and parse. */
  async decode<T>(topic: string, contract: Contract<T>, bytes: Buffer): Promise<Record<string, unknown>> {
    const { schemaId, body } = unframeAvro(topic, bytes);
    const resolver = await this.resolverFor(topic, contract, schemaId);
    try {
      return this.typeOf(contract.avroSchema).fromBuffer(body, resolver) as Record<string, unknown>;
    } catch (cause) {
      throw new DecodeError(
        'bad-avro-frame',
        topic,
        `Avro body (${body.length} bytes) does not decode with schema id ${schemaId}: ${(cause as Error).message}`,
        { schemaId, cause },
      );
    }
  }

  private schemaIdFor<T>(topic: string, contract: Contract<T>): Promise<number> {
    const subject = `${topic}-value`;
    let id = this.subjectIds.get(subject);
    if (!id) {
      id = this.registry.register(subject, contract.avroSchema);
      // A failed registration is not remembered: the next send tries again.
      id.catch(() => this.subjectIds.delete(subject));
      this.subjectIds.set(subject, id);
    }
    return id;
  }

  private async resolverFor<T>(topic: string, contract: Contract<T>, schemaId: number): Promise<Resolver> {
    const reader = this.typeOf(contract.avroSchema);
    let byId = this.resolvers.get(reader);
    if (!byId) {
      byId = new Map();
      this.resolvers.set(reader, byId);
    }
    const cached = byId.get(schemaId);
    if (cached) return cached;
    const writer = await this.registry.schemaById(schemaId); // SchemaRegistryUnavailable propagates: transient
    if (!writer) {
      throw new DecodeError('unknown-schema-id', topic, `schema id ${schemaId} is not in the schema registry`, {
        schemaId,
      });
    }
    let resolver: Resolver;
    try {
      resolver = reader.createResolver(writer);
    } catch (cause) {
      throw new DecodeError(
        'bad-avro-frame',
        topic,
        `schema id ${schemaId} cannot be read as ${contract.avroSchema.name} (incompatible schemas): ${(cause as Error).message}`,
        { schemaId, cause },
      );
    }
    byId.set(schemaId, resolver);
    return resolver;
  }

  private typeOf(schema: AvroRecordSchema): Type {
    let type = this.types.get(schema);
    if (!type) {
      type = Type.forSchema(schema as never);
      this.types.set(schema, type);
    }
    return type;
  }
}
