import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, PostgresModule } from '@vigil/service';
import { vaultHealthChecks } from './vault.health';

@Module({
  imports: [PostgresModule, KafkaProbeModule],
  providers: [vaultHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
