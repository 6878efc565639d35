import { z } from 'zod';
import { env } from './env-vars';

// Kafka topic names allow only these characters; the prefix becomes part of every name.
const TOPIC_PREFIX = /^[A-Za-z0-9._-]{0,100}$/;
const VAULT_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * The variables every Vigil service reads. A service extends it with its own:
 * `baseServiceConfig('vault', 8101).extend({ VIGIL_VAULT_KEY_FILE: env.string() })`.
 */
export function baseServiceConfig(serviceName: string, defaultPort: number) {
  return z.object({
    VIGIL_KAFKA_BROKERS: env.kafkaBrokers().default(['127.0.0.1:9092']),
    VIGIL_KAFKA_CLIENT_ID: env.string().default(serviceName),
    // Unset: events are JSON. Set: produced events are Confluent-framed Avro.
    VIGIL_SCHEMA_REGISTRY_URL: env.url({ protocols: ['http', 'https'] }).optional(),
    // Tests set a unique prefix ('t1a2b3.') so runs never see each other's topics.
    VIGIL_TOPIC_PREFIX: z
      .string()
      .refine((s) => TOPIC_PREFIX.test(s), 'at most 100 of the characters allowed in Kafka topic names: A-Z a-z 0-9 . _ -')
      .default(''),
    VIGIL_DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }).default('postgres://postgres@127.0.0.1:5432/vigil'),
    // Set: the database username and password come from this vault secret (fields `username`,
    // `password`), read with the service's own token and followed through rotations; the URL
    // then gives only host, port, database and options. Unset: the URL's credentials.
    VIGIL_DATABASE_VAULT_PATH: z
      .string()
      .trim()
      .regex(VAULT_PATH, 'a vault secret path such as db/alerter (segments of A-Z a-z 0-9 . _ - separated by /)')
      .optional(),
    VIGIL_REDIS_URL: env.url({ protocols: ['redis', 'rediss'] }).default('redis://127.0.0.1:6379'),
    VIGIL_HTTP_PORT: env.port().default(defaultPort),
    VIGIL_HTTP_HOST: env.host().default('127.0.0.1'),
    VIGIL_LOG_LEVEL: env.logLevel().default('info'),
    // How long a graceful shutdown may take before the process gives up and exits 1.
    VIGIL_SHUTDOWN_TIMEOUT: env.duration().default(30_000),
  });
}

/** The validated base configuration, as every service's config contains it. */
export type BaseServiceConfig = z.output<ReturnType<typeof baseServiceConfig>>;
