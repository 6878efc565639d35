import { LOCAL_INFRA, infraEnv, serviceEnv } from './infra-env';

describe('infraEnv', () => {
  it('defaults to the local servers', () => {
    expect(infraEnv({})).toEqual(LOCAL_INFRA);
  });

  it('reads the VIGIL_* variables, splitting brokers and trimming the registry slash', () => {
    expect(
      infraEnv({
        VIGIL_KAFKA_BROKERS: ' a:1 , b:2 ,',
        VIGIL_SCHEMA_REGISTRY_URL: 'http://reg:8081/apis/ccompat/v7/',
        VIGIL_DATABASE_URL: 'postgres://u@db/x',
        VIGIL_REDIS_URL: 'redis://r:1',
      }),
    ).toEqual({ kafkaBrokers: ['a:1', 'b:2'], registryUrl: 'http://reg:8081/apis/ccompat/v7', databaseUrl: 'postgres://u@db/x', redisUrl: 'redis://r:1' });
  });

  it('hands out the Confluent-compatible base URL that libs/config and libs/kafka take', () => {
    expect(infraEnv({}).registryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
  });

  it('treats empty variables as unset', () => {
    expect(infraEnv({ VIGIL_KAFKA_BROKERS: ' ', VIGIL_DATABASE_URL: '' })).toEqual(LOCAL_INFRA);
  });
});

describe('serviceEnv', () => {
  it('gives a service under test the endpoints and its topic prefix', () => {
    expect(serviceEnv(LOCAL_INFRA, 'tabc123.')).toEqual({
      VIGIL_KAFKA_BROKERS: '127.0.0.1:9092',
      VIGIL_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      VIGIL_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil',
      VIGIL_REDIS_URL: 'redis://127.0.0.1:6379',
      VIGIL_TOPIC_PREFIX: 'tabc123.',
    });
  });
});
