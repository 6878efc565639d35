import type { AvroRecordSchema } from '@vigil/contracts';
import { Type } from 'avsc';
import { SchemaRegistryUnavailable } from '../src/decode-error';
import type { SchemaRegistry } from '../src/schema-registry';

/** An in-memory registry: every registration gets the next id, from 1. `down` simulates an outage. */
export class FakeRegistry implements SchemaRegistry {
  readonly subjects = new Map<string, number>();
  readonly schemas = new Map<number, object>();
  registrations = 0;
  lookups = 0;
  down = false;

  async register(subject: string, schema: AvroRecordSchema): Promise<number> {
    this.registrations += 1;
    if (this.down) throw new SchemaRegistryUnavailable('fake registry is down');
    const id = this.schemas.size + 1;
    this.schemas.set(id, schema);
    this.subjects.set(subject, id);
    return id;
  }

  async schemaById(id: number): Promise<Type | undefined> {
    this.lookups += 1;
    if (this.down) throw new SchemaRegistryUnavailable('fake registry is down');
    const schema = this.schemas.get(id);
    return schema ? Type.forSchema(schema as never) : undefined;
  }
}
