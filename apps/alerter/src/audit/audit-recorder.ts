import { Injectable } from '@nestjs/common';
import type { AuditSink } from '@vigil/auth';
import { auditEventsContract, type AuditActor, type AuditEvent, type AuditOutcome, type JsonObject } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import { randomUUID } from 'node:crypto';

export const SERVICE = 'alerter';

/**
 * audit.events.v1 through the service's EventProducer: the AuditSink of libs/auth's guard
 * and the record of every incident and silence action. record() resolves once the broker
 * has the event; actions await it inside their transaction, so nothing happens unaudited.
 */
@Injectable()
export class AuditRecorder implements AuditSink {
  constructor(private readonly producer: EventProducer) {}

  async record(event: AuditEvent): Promise<void> {
    await this.producer.send(auditEventsContract, [event]);
  }

  async audit(input: { actor: AuditActor; action: string; resource: string; outcome: AuditOutcome; reason?: string; details?: JsonObject }): Promise<void> {
    await this.record({ eventId: randomUUID(), ts: new Date().toISOString(), service: SERVICE, ...input });
  }
}
