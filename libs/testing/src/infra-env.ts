/** Where the servers the integration tests use are, as the services see them. */
export interface InfraEnv {
  kafkaBrokers: string[];
  /**
   * The Confluent-compatible schema registry base URL, exactly what VIGIL_SCHEMA_REGISTRY_URL
   * and libs/kafka's `registryUrl` take. For Apicurio that is `<root>/apis/ccompat/v7`,
   * not the Apicurio root.
   */
  registryUrl: string;
  databaseUrl: string;
  redisUrl: string;
}

// The same defaults as libs/config and scripts/infra.mjs: the local servers.
export const LOCAL_INFRA: Readonly<InfraEnv> = Object.freeze({
  kafkaBrokers: ['127.0.0.1:9092'],
  registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/vigil',
  redisUrl: 'redis://127.0.0.1:6379',
});

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The endpoints from VIGIL_* variables, falling back to the local servers. */
export function infraEnv(env: NodeJS.ProcessEnv = process.env): InfraEnv {
  const brokers = nonEmpty(env['VIGIL_KAFKA_BROKERS']);
  return {
    kafkaBrokers: brokers
      ? brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : [...LOCAL_INFRA.kafkaBrokers],
    registryUrl: (nonEmpty(env['VIGIL_SCHEMA_REGISTRY_URL']) ?? LOCAL_INFRA.registryUrl).replace(/\/+$/, ''),
    databaseUrl: nonEmpty(env['VIGIL_DATABASE_URL']) ?? LOCAL_INFRA.databaseUrl,
    redisUrl: nonEmpty(env['VIGIL_REDIS_URL']) ?? LOCAL_INFRA.redisUrl,
  };
}

/**
 * The environment variables a service under test needs to reach `infra`, with its
 * topics under `topicPrefix` (see testPrefix()).
 */
export function serviceEnv(infra: InfraEnv, topicPrefix: string): Record<string, string> {
  return {
    VIGIL_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    VIGIL_SCHEMA_REGISTRY_URL: infra.registryUrl,
    VIGIL_DATABASE_URL: infra.databaseUrl,
    VIGIL_REDIS_URL: infra.redisUrl,
    VIGIL_TOPIC_PREFIX: topicPrefix,
  };
}
