import { Module } from '@nestjs/common';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { createLogger, HealthCheck, postgresHealthCheck, redisHealthCheck } from '@vigil/observability';
import { createServer } from 'node:net';
import type { Pool } from 'pg';
import type Redis from 'ioredis';
import { KafkaModule } from './kafka/kafka.module';
import { PostgresModule } from './postgres/postgres.module';
import { RedisModule } from './redis/redis.module';
import { RunningService, startService } from './run-service';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, PG_POOL, REDIS_CLIENT } from './service.constants';

// A service wired as the apps are, against the local Postgres, Redis and Kafka
// (scripts/test.mjs starts them), and against ports where nothing listens.
@Module({
  // No topics: this file is about reaching the three servers (kafka/ has the topic bootstrap).
  imports: [PostgresModule, RedisModule, KafkaModule.forService({ consumes: [], produces: [] })],
  providers: [
    {
      provide: HEALTH_CHECKS,
      inject: [PG_POOL, REDIS_CLIENT, KAFKA_HEALTH_CHECKS],
      useFactory: (pool: Pool, redis: Redis, kafka: HealthCheck[]): HealthCheck[] => [postgresHealthCheck(pool), redisHealthCheck(redis), ...kafka],
    },
  ],
  exports: [HEALTH_CHECKS],
})
class DependentAppModule {}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(env: Record<string, string | undefined>) {
  const config = loadConfig(baseServiceConfig('deps-svc', 0), {
    ...process.env,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_SCHEMA_REGISTRY_URL: undefined,
    ...env,
  });
  return startService({ name: 'deps-svc', module: DependentAppModule, config, logger: createLogger('deps-svc', 'silent') });
}

interface Readiness {
  status: string;
  checks: Record<string, { status: string; error?: string }>;
}

async function readyz(service: RunningService): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${service.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

describe('a service with Postgres, Redis and Kafka', () => {
  it('is ready when all three answer, and stops cleanly', async () => {
    const service = await start({});
    try {
      // Redis may still be connecting on the first probe; readiness is what a poller sees.
      let result = await readyz(service);
      for (let i = 0; i < 20 && result.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await readyz(service);
      }
      expect(result).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' }, kafka: { status: 'ok' } } },
      });
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });

  it('answers 503 naming each dependency it cannot reach', async () => {
    const [pgPort, redisPort, kafkaPort] = await Promise.all([closedPort(), closedPort(), closedPort()]);
    const service = await start({
      VIGIL_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/vigil`,
      VIGIL_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      VIGIL_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    });
    try {
      const { status, body } = await readyz(service);
      expect(status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.postgres).toEqual({ status: 'failing', error: expect.stringContaining(`ECONNREFUSED 127.0.0.1:${pgPort}`) });
      expect(body.checks.redis).toEqual({ status: 'failing', error: expect.stringContaining(`127.0.0.1:${redisPort}`) });
      expect(body.checks.kafka).toEqual({ status: 'failing', error: expect.stringContaining(`ECONNREFUSED 127.0.0.1:${kafkaPort}`) });
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });
});
