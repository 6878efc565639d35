import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, PostgresModule } from '@vigil/service';
import { authGatewayHealthChecks } from './auth-gateway.health';

@Module({
  imports: [PostgresModule, KafkaProbeModule],
  providers: [authGatewayHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
