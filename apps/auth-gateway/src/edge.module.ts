import { Module } from '@nestjs/common';
import { PostgresModule, REDIS_CLIENT, RedisModule, SERVICE_CONFIG } from '@vigil/service';
import type Redis from 'ioredis';
import type { AuthGatewayConfig } from './auth-gateway.config';
import { GatewayCoreModule } from './gateway-core.module';
import { ProxyMetrics } from './proxy/proxy.metrics';
import { RateLimiter } from './rate-limit/rate-limiter';
import { SessionGate } from './sessions/session-gate';

/** What the edge checks on every request besides the token: live sessions and rate limits. */
@Module({
  imports: [PostgresModule, RedisModule, GatewayCoreModule],
  providers: [
    SessionGate,
    ProxyMetrics,
    {
      provide: RateLimiter,
      inject: [REDIS_CLIENT, SERVICE_CONFIG],
      useFactory: (redis: Redis, c: AuthGatewayConfig) =>
        new RateLimiter(redis, `vigil:auth:${c.VIGIL_TOPIC_PREFIX}`, {
          proxy_principal: { perSec: c.VIGIL_RATE_PROXY_PRINCIPAL_PER_SEC, burst: c.VIGIL_RATE_PROXY_PRINCIPAL_BURST },
          proxy_ip: { perSec: c.VIGIL_RATE_PROXY_IP_PER_SEC, burst: c.VIGIL_RATE_PROXY_IP_BURST },
          login_ip: { perSec: c.VIGIL_RATE_LOGIN_IP_PER_SEC, burst: c.VIGIL_RATE_LOGIN_IP_BURST },
          login_account: { perSec: c.VIGIL_RATE_LOGIN_ACCOUNT_PER_SEC, burst: c.VIGIL_RATE_LOGIN_ACCOUNT_BURST },
        }),
    },
  ],
  exports: [SessionGate, ProxyMetrics, RateLimiter],
})
export class EdgeModule {}
