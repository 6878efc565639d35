import { SchemaRegistry as ConfluentClient } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from '@vigil/contracts';
import { Type } from 'avsc';
import { SchemaRegistryUnavailable } from './decode-error';

const REQUEST_TIMEOUT_MS = 10_000;

/** What the Avro codec needs from a schema registry (a fake of it is enough in unit tests). */
export interface SchemaRegistry {
  /** Registers (or finds) the schema under `subject` and returns its global id. */
  register(subject: string, schema: AvroRecordSchema): Promise<number>;
  /** The writer schema with this id, or undefined when the registry has none. */
  schemaById(id: number): Promise<Type | undefined>;
}

/**
 * A Confluent-compatible registry (Apicurio's `/apis/ccompat/v7`); lookups go through
 * @kafkajs/confluent-schema-registry, which caches schemas by id. Only a 404 means an
 * unknown id; every other failure (refused connection, timeout, 5xx) is reported as
 * SchemaRegistryUnavailable so that callers retry instead of dead-lettering good data.
 */
export function confluentSchemaRegistry(url: string, clientId = 'vigil'): SchemaRegistry {
  const base = url.replace(/\/+$/, '');
  const client = new ConfluentClient({ host: base, clientId });
  return {
    async register(subject, schema) {
      // Plain REST rather than client.register(): that one insists the subject's
      // compatibility level equals the one it is given (BACKWARD by default) and fails on
      // any subject that already exists under another level (Apicurio's default is NONE).
      // POST .../versions is idempotent: an already registered schema returns its id.
      const endpoint = `${base}/subjects/${encodeURIComponent(subject)}/versions`;
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schema: JSON.stringify(schema) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw new SchemaRegistryUnavailable(`registering subject ${subject} at ${base} failed: ${describe(error)}`, error);
      }
      const body = (await response.json().catch(() => ({}))) as { id?: unknown; message?: unknown };
      if (response.status === 409 || response.status === 422) {
        // The registry refused this schema (incompatible with earlier versions, or invalid):
        // retrying cannot help; the contract or the subject's compatibility setting must change.
        throw new Error(
          `schema registry refused the schema for subject ${subject} (HTTP ${response.status}): ${String(body.message ?? '')}`,
        );
      }
      if (!response.ok || typeof body.id !== 'number') {
        throw new SchemaRegistryUnavailable(
          `registering subject ${subject} at ${base} answered HTTP ${response.status}: ${String(body.message ?? 'no schema id')}`,
        );
      }
      return body.id;
    },
    async schemaById(id) {
      try {
        const schema = await client.getSchema(id);
        // The client builds its own avsc Type; rebuild from its JSON so callers control the options.
        return Type.forSchema((schema as unknown as Type).schema() as never);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw new SchemaRegistryUnavailable(`looking up schema id ${id} at ${base} failed: ${describe(error)}`, error);
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
