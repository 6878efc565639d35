import { Module } from '@nestjs/common';
import { HEALTH_CHECKS, KafkaProbeModule, RedisModule } from '@vigil/service';
import { complianceDetectorHealthChecks } from './compliance-detector.health';

@Module({
  imports: [RedisModule, KafkaProbeModule],
  providers: [complianceDetectorHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}
