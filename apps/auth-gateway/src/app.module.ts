import { Module } from '@nestjs/common';
import { AuthModule, type TokenVerifier } from '@vigil/auth';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule, RedisModule, SERVICE_CONFIG } from '@vigil/service';
import { AdminController } from './admin/admin.controller';
import { ServiceAccountsAdminController } from './admin/service-accounts-admin.controller';
import { UsersAdminController } from './admin/users-admin.controller';
import { AuditRecorder, SERVICE } from './audit/audit-recorder';
import type { AuthGatewayConfig } from './auth-gateway.config';
import { authGatewayHealthChecks } from './auth-gateway.health';
import { GatewayCoreModule } from './gateway-core.module';
import { AuthController } from './login/auth.controller';
import { LoginService } from './login/login.service';
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
    AuthModule.forRootAsync({
      imports: [GatewayCoreModule],
      inject: [SigningKeysService, AuditRecorder, SERVICE_CONFIG],
      useFactory: (keys: SigningKeysService, auditSink: AuditRecorder, config: AuthGatewayConfig) => {
        const verifier: TokenVerifier = { verify: async (token) => (await keys.verifier(config.VIGIL_AUTH_ISSUER, SERVICE)).verify(token) };
        return { service: SERVICE, verifier, auditSink };
      },
    }),
  ],
  controllers: [AuthController, AdminController, UsersAdminController, ServiceAccountsAdminController],
  providers: [authGatewayHealthChecks, LoginService],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
