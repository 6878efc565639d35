import { Admin } from '@platformatic/kafka';
import net from 'node:net';
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

/** `registryUrl` is the Confluent-compatible base URL (Apicurio: `<root>/apis/ccompat/v7`), as the services get it. */
export async function probeRegistry(registryUrl: string): Promise<string> {
  const res = await fetch(`${registryUrl.replace(/\/+$/, '')}/subjects`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (!res.ok) {
    throw new Error(
      `GET ${registryUrl}/subjects answered HTTP ${res.status}; VIGIL_SCHEMA_REGISTRY_URL must be the Confluent-compatible base URL (for Apicurio http://127.0.0.1:8081/apis/ccompat/v7)`,
    );
  }
  return 'Confluent-compatible API';
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

function respCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * AUTH (if the URL has credentials) and PING over a plain socket. ioredis keeps a timer
 * alive for seconds after a refused connection, which holds Jest and `infra status` open.
 */
export function probeRedis(redisUrl: string): Promise<string> {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:') return Promise.reject(new Error(`the probe speaks redis:// only, got ${url.protocol}//`));
  const commands: string[][] = [];
  if (url.password) {
    const password = decodeURIComponent(url.password);
    commands.push(url.username ? ['AUTH', decodeURIComponent(url.username), password] : ['AUTH', password]);
  }
  commands.push(['PING']);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) });
    let buffer = '';
    let replies = 0;
    const finish = (err: Error | undefined, value?: string) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? '');
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => socket.write(commands.map(respCommand).join('')));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        if (line.startsWith('-')) return finish(new Error(`redis answered ${line.slice(1)}`));
        replies += 1;
        if (replies === commands.length) return finish(undefined, `PING ${line.replace(/^\+/, '')}`);
      }
    });
  });
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
