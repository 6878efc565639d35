import { Admin } from '@platformatic/kafka';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { InfraEnv } from './infra-env';

export type InfraServer = 'kafka' | 'registry' | 'postgres' | 'redis';
export const ALL_SERVERS: readonly InfraServer[] = ['kafka', 'registry', 'postgres', 'redis'];

export interface ProbeResult {
  server: InfraServer;
  endpoint: string;
  ok: boolean;
  /** The server's version or cluster id when up, the error when down. */
  detail: string;
}

const PROBE_TIMEOUT_MS = 3000;

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

/** A metadata request: the broker answers it only once it is registered and serving. */
export async function probeKafka(brokers: string[]): Promise<string> {
  const admin = new Admin({ clientId: 'vigil-test-probe', bootstrapBrokers: brokers, retries: 0, timeout: PROBE_TIMEOUT_MS, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    if (metadata.brokers.size === 0) throw new Error('metadata lists no live broker');
    return `cluster ${metadata.id}`;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

export async function probeRegistry(registryUrl: string): Promise<string> {
  const res = await fetch(`${registryUrl}/apis/ccompat/v7/subjects`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET /apis/ccompat/v7/subjects answered HTTP ${res.status}`);
  return 'ccompat v7';
}

export async function probePostgres(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return `postgres ${rows[0]?.server_version ?? '?'}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function probeRedis(redisUrl: string): Promise<string> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return `PING ${await redis.ping()}`;
  } finally {
    redis.disconnect();
  }
}

function endpointOf(server: InfraServer, infra: InfraEnv): string {
  switch (server) {
    case 'kafka':
      return infra.kafkaBrokers.join(',');
    case 'registry':
      return infra.registryUrl;
    case 'postgres':
      return redactUrl(infra.databaseUrl);
    case 'redis':
      return redactUrl(infra.redisUrl);
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

const probes: Record<InfraServer, (infra: InfraEnv) => Promise<string>> = {
  kafka: (infra) => probeKafka(infra.kafkaBrokers),
  registry: (infra) => probeRegistry(infra.registryUrl),
  postgres: (infra) => probePostgres(infra.databaseUrl),
  redis: (infra) => probeRedis(infra.redisUrl),
};

export async function probeInfra(infra: InfraEnv, servers: readonly InfraServer[] = ALL_SERVERS): Promise<ProbeResult[]> {
  return Promise.all(
    servers.map(async (server): Promise<ProbeResult> => {
      const endpoint = endpointOf(server, infra);
      try {
        return { server, endpoint, ok: true, detail: await probes[server](infra) };
      } catch (err) {
        return { server, endpoint, ok: false, detail: errorText(err) };
      }
    }),
  );
}
