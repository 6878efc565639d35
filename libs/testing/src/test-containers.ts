// The Docker path: with VIGIL_TEST_CONTAINERS=1, tests get Kafka, Postgres, Redis and the
// registry from throwaway containers instead of the local servers. The development
// machines and CI of this project have no Docker, so this path is typechecked but has
// NOT been run here; the local servers (npm run infra -- up) are what the suite uses.
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Wait } from 'testcontainers';
import type { InfraEnv } from './infra-env';

// cp-kafka 8.1 is Kafka 4.1, as on the local node; @testcontainers/kafka drives
// Confluent's images only.
export const CONTAINER_IMAGES = {
  kafka: 'confluentinc/cp-kafka:8.1.0',
  postgres: 'postgres:16-bookworm',
  redis: 'redis:7.4-bookworm',
  registry: 'apicurio/apicurio-registry:3.3.3',
} as const;

export function containersRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['VIGIL_TEST_CONTAINERS'] === '1';
}

export interface StartedInfra {
  infra: InfraEnv;
  stop(): Promise<void>;
}

export async function startTestContainers(): Promise<StartedInfra> {
  const [kafka, postgres, redis, registry] = await Promise.all([
    new KafkaContainer(CONTAINER_IMAGES.kafka).withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' }).start(),
    new PostgreSqlContainer(CONTAINER_IMAGES.postgres).withDatabase('vigil').withUsername('postgres').withPassword('postgres').start(),
    new RedisContainer(CONTAINER_IMAGES.redis).start(),
    // In-memory storage: schemas live as long as the container, which is the test run.
    new GenericContainer(CONTAINER_IMAGES.registry)
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  return {
    infra: {
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
      registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: postgres.getConnectionUri(),
      redisUrl: redis.getConnectionUrl(),
    },
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop(), redis.stop(), registry.stop()]);
    },
  };
}
