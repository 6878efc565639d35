import { Injectable } from '@nestjs/common';
import type { AuditSink, Principal } from '@vigil/auth';
import { auditEventsContract, type AuditEvent, type AuditOutcome, type JsonObject } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import { randomUUID } from 'node:crypto';

export const SERVICE = 'compliance-detector';

/**
 * audit.events.v1 of the detector: the sink of libs/auth's guard (every allowed and denied
 * call) and the record of every rule change. record() resolves once the broker has it.
 */
@Injectable()
export class RulesAudit implements AuditSink {
  constructor(private readonly producer: EventProducer) {}

  async record(event: AuditEvent): Promise<void> {
    await this.producer.send(auditEventsContract, [event]);
  }

  async ruleChange(who: Principal, resource: string, outcome: AuditOutcome, details: JsonObject, reason?: string): Promise<void> {
    await this.record({
      eventId: randomUUID(),
      ts: new Date().toISOString(),
      service: SERVICE,
      actor: { type: who.type, id: who.id, roles: [...who.roles] },
      action: 'rules.update',
      resource,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      details,
    });
  }
}
