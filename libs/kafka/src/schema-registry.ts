import { SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from '@vigil/contracts';
import { Type } from 'avsc';
import { SchemaRegistryUnavailable } from './decode-error';

/** What the Avro codec needs from a schema registry (a fake of it is enough in unit tests). */
export interface SchemaRegistry {
  /** Registers (or finds) the schema under `subject` and returns its global id. */
  register(subject: string, schema: AvroRecordSchema): Promise<number>;
  /** The writer schema with this id, or undefined when the registry has none. */
  schemaById(id: number): Promise<Type | undefined>;
}

/**
 * A Confluent-compatible registry (Apicurio's `/apis/ccompat/v7`) through
 * @kafkajs/confluent-schema-registry, which caches schemas by id. Only a 404 means an
 * unknown id; every other failure (refused connection, timeout, 5xx) is reported as
 * SchemaRegistryUnavailable so that callers retry instead of dead-lettering good data.
 */
export function confluentSchemaRegistry(url: string, clientId = 'vigil'): SchemaRegistry {
  const client = new ConfluentClient({ host: url.replace(/\/+$/, ''), clientId });
  return {
    async register(subject, schema) {
      try {
        const { id } = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          // The subject's compatibility is the registry operator's choice: do not assert it.
          { subject, compatibility: undefined, updateConfig: false },
        );
        return id;
      } catch (error) {
        const status = statusOf(error);
        if (status === 409 || status === 422) {
          // The registry refused this schema (incompatible with earlier versions, or invalid):
          // retrying cannot help; the contract or the subject's compatibility setting must change.
          throw new Error(`schema registry refused the schema for subject ${subject} (HTTP ${status}): ${describe(error)}`, {
            cause: error,
          });
        }
        throw new SchemaRegistryUnavailable(`registering subject ${subject} at ${url} failed: ${describe(error)}`, error);
      }
    },
    async schemaById(id) {
      try {
        const schema = await client.getSchema(id);
        // The client builds its own avsc Type; rebuild from its JSON so callers control the options.
        return Type.forSchema((schema as unknown as Type).schema() as never);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw new SchemaRegistryUnavailable(`looking up schema id ${id} at ${url} failed: ${describe(error)}`, error);
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
