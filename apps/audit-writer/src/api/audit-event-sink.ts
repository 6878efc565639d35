import { Injectable, Module } from '@nestjs/common';
import type { AuditSink } from '@vigil/auth';
import { auditEventsContract, type AuditEvent } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';

/**
 * The guard's AuditSink: every authorization decision on the API goes to audit.events.v1
 * (and so, through this very service, into the log). record() resolves once the broker has
 * it; the guard answers 503 when it cannot, so no read goes unaudited.
 */
@Injectable()
export class AuditEventSink implements AuditSink {
  constructor(private readonly producer: EventProducer) {}

  async record(event: AuditEvent): Promise<void> {
    await this.producer.send(auditEventsContract, [event]);
  }
}

/** The sink on its own, so that AuthModule's factory can inject it. */
@Module({ providers: [AuditEventSink], exports: [AuditEventSink] })
export class AuditEventSinkModule {}
