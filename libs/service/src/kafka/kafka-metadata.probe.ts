import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin } from '@platformatic/kafka';
import type { BaseServiceConfig } from '@vigil/config';
import { SERVICE_CONFIG } from '../service.constants';

/**
 * Kafka readiness until the apps use @vigil/kafka's admin client: a broker answers a
 * fresh metadata request. The admin client is made on first use and replaced after a
 * failure, so a broker that comes back is seen at the next probe.
 */
@Injectable()
export class KafkaMetadataProbe implements OnApplicationShutdown {
  private admin: Admin | undefined;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: BaseServiceConfig) {}

  async probe(): Promise<void> {
    this.admin ??= new Admin({
      clientId: `${this.config.VIGIL_KAFKA_CLIENT_ID}-health`,
      bootstrapBrokers: [...this.config.VIGIL_KAFKA_BROKERS],
      retries: 0,
      timeout: 2_000,
    });
    try {
      await this.admin.metadata({ topics: [], forceUpdate: true });
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.close().catch(() => undefined);
  }
}
