import { z } from 'zod';
import { ConfigError } from './config-error';
import { env } from './env-vars';
import { loadConfig } from './load-config';
import { baseServiceConfig } from './service-config';

describe('baseServiceConfig', () => {
  it('gives every variable its documented default', () => {
    expect(loadConfig(baseServiceConfig('vault', 8101), {})).toEqual({
      VIGIL_KAFKA_BROKERS: ['127.0.0.1:9092'],
      VIGIL_KAFKA_CLIENT_ID: 'vault',
      VIGIL_TOPIC_PREFIX: '',
      VIGIL_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil',
      VIGIL_REDIS_URL: 'redis://127.0.0.1:6379',
      VIGIL_HTTP_PORT: 8101,
      VIGIL_HTTP_HOST: '127.0.0.1',
      VIGIL_LOG_LEVEL: 'info',
      VIGIL_SHUTDOWN_TIMEOUT: 30_000,
    });
  });

  it('reads every variable from the environment', () => {
    const config = loadConfig(baseServiceConfig('vault', 8101), {
      VIGIL_KAFKA_BROKERS: 'k1:9092,k2:9092',
      VIGIL_KAFKA_CLIENT_ID: 'vault-7',
      VIGIL_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      VIGIL_TOPIC_PREFIX: 't1a2b3.',
      VIGIL_DATABASE_URL: 'postgresql://vigil@db/vigil',
      VIGIL_REDIS_URL: 'rediss://cache:6380',
      VIGIL_HTTP_PORT: '9000',
      VIGIL_HTTP_HOST: '0.0.0.0',
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_SHUTDOWN_TIMEOUT: '5s',
    });
    expect(config).toEqual({
      VIGIL_KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      VIGIL_KAFKA_CLIENT_ID: 'vault-7',
      VIGIL_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      VIGIL_TOPIC_PREFIX: 't1a2b3.',
      VIGIL_DATABASE_URL: 'postgresql://vigil@db/vigil',
      VIGIL_REDIS_URL: 'rediss://cache:6380',
      VIGIL_HTTP_PORT: 9000,
      VIGIL_HTTP_HOST: '0.0.0.0',
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_SHUTDOWN_TIMEOUT: 5_000,
    });
  });

  it('takes a vault path for the database credential, and refuses one that is not a path', () => {
    expect(loadConfig(baseServiceConfig('alerter', 8103), { VIGIL_DATABASE_VAULT_PATH: 'db/alerter' }).VIGIL_DATABASE_VAULT_PATH).toBe('db/alerter');
    expect(loadConfig(baseServiceConfig('alerter', 8103), {}).VIGIL_DATABASE_VAULT_PATH).toBeUndefined();
    expect(() => loadConfig(baseServiceConfig('alerter', 8103), { VIGIL_DATABASE_VAULT_PATH: '/db//alerter' })).toThrow(/VIGIL_DATABASE_VAULT_PATH: expected a vault secret path such as db\/alerter/);
  });

  it('rejects a topic prefix with characters Kafka does not allow', () => {
    expect(() => loadConfig(baseServiceConfig('vault', 8101), { VIGIL_TOPIC_PREFIX: 'my prefix/' })).toThrow(
      /VIGIL_TOPIC_PREFIX: expected at most 100 of the characters allowed in Kafka topic names/,
    );
  });

  it('names the variable of a database URL with the wrong scheme without printing its password', () => {
    const fail = () => loadConfig(baseServiceConfig('vault', 8101), { VIGIL_DATABASE_URL: 'mysql://root:pw123@db/vigil' });
    expect(fail).toThrow(ConfigError);
    expect(fail).toThrow('VIGIL_DATABASE_URL: expected a URL starting with postgres:// or postgresql://; received "mysql://root:***@db/vigil"');
  });

  it('is extended by a service with its own variables, keeping the base ones', () => {
    const schema = baseServiceConfig('alerter', 8103).extend({ VIGIL_ALERTER_WEBHOOK_TIMEOUT: env.duration().default(5_000) });
    const config = loadConfig(schema, { VIGIL_ALERTER_WEBHOOK_TIMEOUT: '250ms' });
    expect(config.VIGIL_ALERTER_WEBHOOK_TIMEOUT).toBe(250);
    expect(config.VIGIL_HTTP_PORT).toBe(8103);
    const typed: z.output<typeof schema> = config;
    expect(typed.VIGIL_KAFKA_CLIENT_ID).toBe('alerter');
  });
});
