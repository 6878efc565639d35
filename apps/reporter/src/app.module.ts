import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, PostgresModule } from '@vigil/service';
import { reporterHealthChecks } from './reporter.health';

@Module({
  imports: [PostgresModule, KafkaProbeModule],
  providers: [reporterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
