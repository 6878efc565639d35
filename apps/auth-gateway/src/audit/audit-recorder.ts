import { Injectable } from '@nestjs/common';
import type { AuditSink } from '@vigil/auth';
import { auditEventsContract, ContractViolation, securityIncidentsContract, type AuditActor, type AuditEvent, type AuditOutcome, type IncidentType, type SecurityIncident } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import type { JsonObject } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { AuthGatewayMetrics } from '../auth-gateway.metrics';
import { GroupCommit } from './group-commit';

export const SERVICE = 'auth-gateway';

export interface AuditInput {
  actor: AuditActor;
  /** `auth.login`, `auth.mfa.verify`, `auth.token.issue`, ... */
  action: string;
  resource: string;
  outcome: AuditOutcome;
  reason?: string;
  traceId?: string;
  details?: JsonObject;
}

/**
 * audit.events.v1 and security.incidents.v1 through the service's EventProducer. It is also
 * the AuditSink of libs/auth's guard. record() resolves once the producer has the event;
 * the contract refuses credential-like keys and values, so a slip fails loudly instead of
 * leaking. Callers pass ids and facts only, never a password, token, seed or secret.
 */
@Injectable()
export class AuditRecorder implements AuditSink {
  // The proxy audits every request before forwarding it: with one acknowledged send per event
  // the acknowledgement latency would cap the gateway's throughput, so concurrent events share sends.
  private readonly events: GroupCommit<AuditEvent>;

  constructor(
    private readonly producer: EventProducer,
    private readonly metrics: AuthGatewayMetrics,
  ) {
    this.events = new GroupCommit((batch) => this.sendBatch(batch));
  }

  /** Resolves once the producer has this event acknowledged; an event the contract refuses fails alone. */
  async record(event: AuditEvent): Promise<void> {
    await this.events.add(event);
    this.metrics.auditEvents.inc({ action: event.action, outcome: event.outcome });
  }

  // The contract is checked as the batch is sent; should one event break it, the others go on
  // their own and only the bad one fails.
  private async sendBatch(batch: AuditEvent[]): Promise<void | unknown[]> {
    try {
      await this.producer.send(auditEventsContract, batch);
    } catch (error) {
      if (!(error instanceof ContractViolation) || batch.length === 1) throw error;
      return Promise.all(batch.map((event) => this.producer.send(auditEventsContract, [event]).then(() => undefined, (e: unknown) => e)));
    }
  }

  async audit(input: AuditInput): Promise<void> {
    await this.record({ eventId: randomUUID(), ts: new Date().toISOString(), service: SERVICE, ...input });
  }

  async incident(type: IncidentType, severity: SecurityIncident['severity'], subject: string, summary: string, evidence: JsonObject): Promise<void> {
    await this.producer.send(securityIncidentsContract, [{ incidentId: randomUUID(), ts: new Date().toISOString(), type, severity, subject, summary, evidence }]);
    this.metrics.incidents.inc({ type, severity });
  }
}
