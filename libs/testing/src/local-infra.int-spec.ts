// The local infrastructure itself (scripts/infra.mjs, deploy/kafka, deploy/registry):
// what every other integration test relies on.
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertInfraUp } from './assert-infra-up';
import type { InfraEnv } from './infra-env';
import { testPrefix } from './unique-id';

const repoRoot = path.resolve(__dirname, '../../..');
const prefix = testPrefix();
let infra: InfraEnv;
let admin: Admin;

beforeAll(async () => {
  infra = await assertInfraUp({ servers: ['kafka', 'registry', 'postgres', 'redis'] });
  admin = new Admin({ clientId: `${prefix}admin`, bootstrapBrokers: infra.kafkaBrokers });
});

afterAll(async () => {
  await admin?.close();
});

describe('the Kafka node', () => {
  it('answers a metadata request, listing itself as broker 1', async () => {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    expect(metadata.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([...metadata.brokers.keys()]).toEqual([1]);
    expect(metadata.brokers.get(1)).toMatchObject({ host: '127.0.0.1', port: 9092 });
  });

  it('does not create a topic when metadata for it is requested', async () => {
    const topic = `${prefix}never-created`;
    await admin.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: true }).catch(() => undefined);
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('refuses to produce to a topic that was never created', async () => {
    const topic = `${prefix}missing`;
    const producer = new Producer({
      clientId: `${prefix}producer`,
      bootstrapBrokers: infra.kafkaBrokers,
      serializers: stringSerializers,
      retries: 1,
      retryDelay: 100,
    });
    try {
      await expect(producer.send({ messages: [{ topic, key: 'k', value: 'v' }] })).rejects.toThrow(/unknown topic/i);
    } finally {
      await producer.close();
    }
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('creates topics through the admin API and serves them', async () => {
    const topic = `${prefix}created`;
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    try {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
      expect(metadata.topics.get(topic)?.partitionsCount).toBe(3);
    } finally {
      await admin.deleteTopics({ topics: [topic] });
    }
  });
});

describe('the schema registry', () => {
  const subject = `${prefix}registry-check-value`;
  const schema = JSON.stringify({ type: 'record', name: 'Check', namespace: 'vigil.test', fields: [{ name: 'id', type: 'string' }] });

  afterAll(async () => {
    // Soft delete, then permanent: the subject leaves no trace in the registry's Postgres.
    await fetch(`${infra.registryUrl}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${infra.registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  });

  it('registers an Avro schema through the Confluent-compatible API and serves it by id', async () => {
    const ccompat = infra.registryUrl;
    const registered = await fetch(`${ccompat}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema, schemaType: 'AVRO' }),
    });
    expect(registered.status).toBe(200);
    const { id } = (await registered.json()) as { id: number };
    expect(Number.isInteger(id)).toBe(true);

    const byId = (await (await fetch(`${ccompat}/schemas/ids/${id}`)).json()) as { schema: string };
    expect(JSON.parse(byId.schema)).toEqual(JSON.parse(schema));
    const subjects = (await (await fetch(`${ccompat}/subjects`)).json()) as string[];
    expect(subjects).toContain(subject);
  });
});

describe('npm run infra -- up, a second time', () => {
  it('reuses the running broker and registry without downloading anything', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts/infra.mjs'), 'up'], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/kafka: already running \(pid \d+/);
    expect(stdout).toMatch(/jars cached|started elsewhere/);
    expect(stdout).toMatch(/registry: already running \(pid \d+/);
    expect(stdout).not.toMatch(/resolving|fetching/);
  });
});
