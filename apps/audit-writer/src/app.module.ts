import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, PostgresModule } from '@vigil/service';
import { auditWriterHealthChecks } from './audit-writer.health';

@Module({
  imports: [PostgresModule, KafkaProbeModule],
  providers: [auditWriterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
