import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, PostgresModule } from '@vigil/service';
import { alerterHealthChecks } from './alerter.health';

@Module({
  imports: [PostgresModule, KafkaProbeModule],
  providers: [alerterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
