import { Module } from '@nestjs/common';
import { AuditRecorder } from './audit-recorder';

/** The AuditRecorder on its own, so that AuthModule's factory can inject it as its sink. */
@Module({ providers: [AuditRecorder], exports: [AuditRecorder] })
export class AuditModule {}
