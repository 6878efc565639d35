import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { BaseServiceConfig } from '@vigil/config';
import { describeError } from '@vigil/observability';
import Redis from 'ioredis';
import { REDIS_CLIENT, SERVICE_CONFIG, SERVICE_NAME } from '../service.constants';

function createClient(config: BaseServiceConfig, name: string): Redis {
  const client = new Redis(config.VIGIL_REDIS_URL, { connectionName: name });
  // ioredis retries forever and emits 'error' on every attempt: log the first error
  // of each outage, not one line per retry.
  const logger = new Logger('Redis');
  let connected = true;
  client.on('error', (err) => {
    if (connected) logger.warn(`connection failing, retrying: ${describeError(err)}`);
    connected = false;
  });
  client.on('ready', () => {
    if (!connected) logger.log('connected');
    connected = true;
  });
  return client;
}

/** The service's ioredis client as REDIS_CLIENT, from VIGIL_REDIS_URL; closed when the service stops. */
@Module({
  providers: [{ provide: REDIS_CLIENT, inject: [SERVICE_CONFIG, SERVICE_NAME], useFactory: createClient }],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    // QUIT waits for the replies in flight; a client that is not connected has none.
    if (this.client.status === 'ready') await this.client.quit();
    else this.client.disconnect();
  }
}
