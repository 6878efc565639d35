import { ContractViolation, type Contract } from '@vigil/contracts';
import { AVRO_MAGIC_BYTE, AvroCodec } from './avro.codec';
import { DecodeError } from './decode-error';
import { decodeJson, encodeJson } from './json.codec';
import type { SchemaRegistry } from './schema-registry';

export type WireEncoding = 'json' | 'avro';

export interface DecodedValue<T> {
  value: T;
  encoding: WireEncoding;
}

/**
 * Chooses the wire form of a topic's values. Producing: Avro when a registry is
 * configured, JSON otherwise. Consuming: both on one topic, told apart by the first
 * byte — 0 is the Avro magic byte and can never start JSON text.
 */
export class EventCodec {
  private readonly avro: AvroCodec | undefined;

  constructor(registry: SchemaRegistry | undefined) {
    this.avro = registry ? new AvroCodec(registry) : undefined;
  }

  get producesAs(): WireEncoding {
    return this.avro ? 'avro' : 'json';
  }

  /** `value` must already have passed contract.parse. */
  async encode<T>(topic: string, contract: Contract<T>, value: T): Promise<Buffer> {
    return this.avro ? this.avro.encode(topic, contract, value) : encodeJson(value);
  }

  /**
   * Bytes → a contract-valid value. Throws DecodeError for anything the message itself
   * gets wrong; other errors (registry down) are transient and left to the caller.
   */
  async decode<T>(topic: string, contract: Contract<T>, bytes: Buffer | null | undefined): Promise<DecodedValue<T>> {
    if (bytes && bytes.length > 0 && bytes[0] === AVRO_MAGIC_BYTE) {
      if (!this.avro) {
        throw new DecodeError(
          'bad-avro-frame',
          topic,
          'value is Confluent-framed Avro but this consumer has no schema registry URL (set VIGIL_SCHEMA_REGISTRY_URL)',
        );
      }
      const record = await this.avro.decode(topic, contract, bytes);
      return { value: validate(topic, contract, () => contract.parse(contract.fromAvro(record))), encoding: 'avro' };
    }
    const untrusted = decodeJson(topic, bytes);
    return { value: validate(topic, contract, () => contract.parse(untrusted)), encoding: 'json' };
  }
}

/** parse and fromAvro are pure functions of the bytes, so whatever they throw is permanent. */
function validate<T>(topic: string, _contract: Contract<T>, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ContractViolation) throw DecodeError.fromViolation(topic, error);
    throw new DecodeError('contract-violation', topic, `value was rejected: ${(error as Error)?.message ?? String(error)}`, {
      field: '(root)',
      cause: error,
    });
  }
}
