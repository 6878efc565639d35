import { EventEmitter } from 'node:events';
import { CheckOptions, DEFAULT_CHECK_TIMEOUT_MS, HealthCheck } from './health-check';
import { withTimeout } from './timeout';

/** The part of an ioredis client the check uses. */
export interface Pingable extends EventEmitter {
  readonly status: string;
  ping(): Promise<string>;
}

/**
 * Redis answers PING. ioredis queues commands while it reconnects, so a PING to a
 * server that is down would only time out; the check remembers the client's last
 * connection error and fails with it at once when the client is not connected.
 */
export function redisHealthCheck(client: Pingable, { name = 'redis', timeoutMs = DEFAULT_CHECK_TIMEOUT_MS }: CheckOptions = {}): HealthCheck {
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  client.on('ready', () => (lastError = undefined));

  return {
    name,
    async check() {
      if (client.status !== 'ready' && lastError) {
        throw new Error(`not connected (${client.status}): ${lastError.message || (lastError as { code?: string }).code || lastError.name}`);
      }
      const ping = client.ping();
      // If the connection fails first, the queued PING is rejected later; nobody waits for it.
      ping.catch(() => undefined);
      let onError: (err: Error) => void = () => undefined;
      const failure = new Promise<never>((_, reject) => (onError = reject));
      client.once('error', onError);
      try {
        await withTimeout(Promise.race([ping, failure]), timeoutMs, name);
      } finally {
        client.off('error', onError);
      }
    },
  };
}
