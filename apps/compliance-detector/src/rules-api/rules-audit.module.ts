import { Module } from '@nestjs/common';
import { RulesAudit } from './rules-audit';

/** RulesAudit on its own, so that AuthModule's factory can inject it as its sink. */
@Module({ providers: [RulesAudit], exports: [RulesAudit] })
export class RulesAuditModule {}
