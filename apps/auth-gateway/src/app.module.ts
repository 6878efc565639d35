import { Module } from '@nestjs/common';
import { AuthModule, type TokenVerifier } from '@vigil/auth';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule, RedisModule, SERVICE_CONFIG } from '@vigil/service';
import { AdminController } from './admin/admin.controller';
import { ServiceAccountsAdminController } from './admin/service-accounts-admin.controller';
import { UsersAdminController } from './admin/users-admin.controller';
import { AuditRecorder, SERVICE } from './audit/audit-recorder';
import { OutboxRelay } from './audit/outbox-relay';
import type { AuthGatewayConfig } from './auth-gateway.config';
import { authGatewayHealthChecks } from './auth-gateway.health';
import { totpSeedCipherProviders } from './crypto/totp-seed-cipher.provider';
import { EdgeModule } from './edge.module';
import { GatewayCoreModule } from './gateway-core.module';
import { AuthController } from './login/auth.controller';
import { LoginService } from './login/login.service';
import { ProxyServer } from './proxy/proxy-server';
import { ProxyService } from './proxy/proxy.service';
import { SessionGate } from './sessions/session-gate';
import { SigningKeysService } from './tokens/signing-keys.service';

@Module({
  imports: [
    PostgresModule,
    RedisModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [], produces: [TOPICS.auditEvents, TOPICS.securityIncidents] }),
    GatewayCoreModule,
    // The same guard as every service, verifying against the gateway's own current keys and
    // auditing each decision to audit.events.v1.
    EdgeModule,
    // A token whose session has ended (logout, disable, revocation) is refused here too.
    AuthModule.forRootAsync({
      imports: [GatewayCoreModule, EdgeModule],
      inject: [SigningKeysService, AuditRecorder, SessionGate, SERVICE_CONFIG],
      useFactory: (keys: SigningKeysService, auditSink: AuditRecorder, sessions: SessionGate, config: AuthGatewayConfig) => {
        const verifier: TokenVerifier = {
          verify: async (token) => {
            const principal = await (await keys.verifier(config.VIGIL_AUTH_ISSUER, SERVICE)).verify(token);
            const refusal = await sessions.refusal(principal);
            if (refusal) throw refusal;
            return principal;
          },
        };
        return { service: SERVICE, verifier, auditSink };
      },
    }),
  ],
  controllers: [AuthController, AdminController, UsersAdminController, ServiceAccountsAdminController],
  providers: [authGatewayHealthChecks, LoginService, ProxyService, ProxyServer, OutboxRelay, ...totpSeedCipherProviders],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
