import { kafkaBrokerCheck, schemaRegistryCheck, type KafkaConnectionOptions } from '@vigil/kafka';
import type { HealthCheck } from '@vigil/observability';
import type { TopicBootstrap } from './topic-bootstrap';

/**
 * 'kafka': a broker answers a metadata request and the service's topics exist (a service
 * whose topics are still missing would fail its first send). 'schema-registry': only
 * when VIGIL_SCHEMA_REGISTRY_URL is set, since only then are events Avro.
 */
export function kafkaHealthChecks(
  admin: { ping(timeoutMs: number): Promise<void> },
  topics: Pick<TopicBootstrap, 'assertReady'>,
  options: Pick<KafkaConnectionOptions, 'registryUrl'>,
): HealthCheck[] {
  const broker = kafkaBrokerCheck(admin);
  const checks: HealthCheck[] = [
    {
      name: broker.name,
      async check() {
        await broker.check();
        topics.assertReady();
      },
    },
  ];
  if (options.registryUrl) checks.push(schemaRegistryCheck(options.registryUrl));
  return checks;
}
