import { Module } from '@nestjs/common';
import { KafkaMetadataProbe } from './kafka-metadata.probe';

/** Provides KafkaMetadataProbe; kafkaHealthCheck(() => probe.probe()) makes it a readiness check. */
@Module({ providers: [KafkaMetadataProbe], exports: [KafkaMetadataProbe] })
export class KafkaProbeModule {}
