import { Module } from '@nestjs/common';
import { PostgresModule, REDIS_CLIENT, RedisModule, SERVICE_CONFIG } from '@vigil/service';
import type Redis from 'ioredis';
import { AuditRecorder } from './audit/audit-recorder';
import { AuthGatewayMetrics } from './auth-gateway.metrics';
import type { AuthGatewayConfig } from './auth-gateway.config';
import { BruteForceService } from './brute-force/brute-force.service';
import { seedCipherProvider } from './crypto/seed-cipher.provider';
import { SEED_CIPHER } from './crypto/seed-cipher';
import { Challenges } from './login/challenges';
import { BRUTE_FORCE, CHALLENGES } from './login/login.service';
import { PasswordHasher } from './passwords/password-hasher';
import { AUTH_DB, authDbProvider } from './store/auth-db.provider';
import { AuthStore } from './store/auth.store';
import { SigningKeysService } from './tokens/signing-keys.service';

/** Redis keys of the gateway, under the topic prefix so test runs never share counters. */
const redisPrefix = (config: AuthGatewayConfig) => `vigil:auth:${config.VIGIL_TOPIC_PREFIX}`;

/** The gateway's stores, keys and recorders; the AuthModule factory and the controllers share them. */
@Module({
  imports: [PostgresModule, RedisModule],
  providers: [
    authDbProvider,
    seedCipherProvider,
    AuthStore,
    SigningKeysService,
    AuditRecorder,
    AuthGatewayMetrics,
    { provide: PasswordHasher, useFactory: () => new PasswordHasher() },
    {
      provide: BRUTE_FORCE,
      inject: [REDIS_CLIENT, SERVICE_CONFIG],
      useFactory: (redis: Redis, config: AuthGatewayConfig) =>
        new BruteForceService(redis, { keyPrefix: redisPrefix(config), accountThreshold: config.VIGIL_AUTH_LOCK_THRESHOLD, ipThreshold: config.VIGIL_AUTH_IP_LOCK_THRESHOLD }),
    },
    { provide: CHALLENGES, inject: [REDIS_CLIENT, SERVICE_CONFIG], useFactory: (redis: Redis, config: AuthGatewayConfig) => new Challenges(redis, redisPrefix(config)) },
  ],
  exports: [AUTH_DB, SEED_CIPHER, AuthStore, SigningKeysService, AuditRecorder, PasswordHasher, BRUTE_FORCE, CHALLENGES],
})
export class GatewayCoreModule {}
