import { Inject, Injectable, Logger } from '@nestjs/common';
import { auditEventsContract, securityIncidentsContract, type AuditActor, type AuditEvent, type AuditOutcome, type JsonObject } from '@vigil/contracts';
import { EventProducer, SendDeadlineExceeded } from '@vigil/kafka';
import { SERVICE_CONFIG } from '@vigil/service';
import { randomUUID } from 'node:crypto';
import type { VaultConfig } from '../vault.config';
import { auditUnavailable } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { DenialWindow } from './denial-window';
import { GroupSender } from './group-sender';

export interface VaultAuditRecord {
  actor: AuditActor;
  /** `secrets.read`, `transit.encrypt`, ... */
  action: string;
  /** `secret:<path>`, `transit-key:<name>`. */
  resource: string;
  outcome: AuditOutcome;
  reason?: string;
  traceId?: string;
  /** Versions, counts: never a value, plaintext, ciphertext or key. */
  details?: JsonObject;
}

const MAX_PENDING_CORRECTIONS = 1000;

/**
 * Every vault operation's audit.events.v1 event, produced (acks from all in-sync replicas)
 * before the operation's result is returned. If it cannot be produced the operation fails
 * with 503: nothing happens in the vault without its audit record. Denials are also
 * counted per actor; a burst raises UNAUTHORIZED_SECRET_ACCESS on security.incidents.v1.
 */
@Injectable()
export class VaultAudit {
  private readonly logger = new Logger('VaultAudit');
  private readonly denials: DenialWindow;
  private readonly timeoutMs: number;
  private readonly events: GroupSender<AuditEvent>;
  private pendingCorrections = 0;

  constructor(
    private readonly producer: EventProducer,
    private readonly metrics: VaultMetrics,
    @Inject(SERVICE_CONFIG) config: VaultConfig,
  ) {
    this.denials = new DenialWindow(config.VIGIL_VAULT_DENIAL_THRESHOLD, config.VIGIL_VAULT_DENIAL_WINDOW);
    this.timeoutMs = config.VIGIL_VAULT_AUDIT_TIMEOUT;
    this.events = new GroupSender((events) => this.producer.send(auditEventsContract, events, { timeoutMs: this.timeoutMs }));
  }

  /** Produces the event; throws the 503 audit_unavailable error if Kafka does not take it. */
  async record(record: VaultAuditRecord): Promise<void> {
    const event: AuditEvent = { eventId: randomUUID(), ts: new Date().toISOString(), service: 'vault', ...withoutUndefined(record) };
    try {
      // Validated alone first: an invalid event fails its own operation, not the others grouped with it.
      auditEventsContract.parse(event);
      // Grouped with concurrent operations' events; each send waits at most timeoutMs for the acknowledgement.
      await this.events.send(event);
    } catch (error) {
      this.metrics.auditFailures.inc();
      this.logger.error(`audit event ${record.action} ${record.resource} could not be produced (${describe(error)}); refusing the operation (fail closed)`);
      if (error instanceof SendDeadlineExceeded && event.outcome === 'success') this.correctLater(event);
      throw auditUnavailable();
    }
    if (record.outcome === 'denied') await this.noteDenial(record);
  }

  /**
   * A success event that missed its deadline may still reach the topic (the producer cannot
   * withdraw it), while the operation was refused. This event, sent in the background with
   * the producer's own retries, says so: the log then shows the refusal after the stray success.
   */
  private correctLater(event: AuditEvent): void {
    // A broker that is down, not slow, would otherwise collect one retrying send per refused operation.
    if (this.pendingCorrections >= MAX_PENDING_CORRECTIONS) {
      this.logger.error(`no correction queued for audit event ${event.eventId} (${event.action} ${event.resource}): ${MAX_PENDING_CORRECTIONS} are already waiting for Kafka`);
      return;
    }
    this.pendingCorrections++;
    const correction: AuditEvent = {
      ...event,
      eventId: randomUUID(),
      ts: new Date().toISOString(),
      outcome: 'failure',
      reason: `refused: its audit event was not acknowledged within ${this.timeoutMs} ms (fail closed); event ${event.eventId}, if it appears, did not take effect`,
      details: { ...(event.details ?? {}), supersedesEventId: event.eventId },
    };
    this.producer
      .send(auditEventsContract, [correction])
      .catch((error: unknown) => {
        this.logger.error(`the correction of audit event ${event.eventId} (${event.action} ${event.resource}) could not be produced either (${describe(error)})`);
      })
      .finally(() => this.pendingCorrections--);
  }

  private async noteDenial(record: VaultAuditRecord): Promise<void> {
    const subject = `${record.actor.type}:${record.actor.id}`;
    const burst = this.denials.add(subject, Date.now(), record.resource);
    if (!burst) return;
    try {
      await this.producer.send(securityIncidentsContract, [
        {
          incidentId: randomUUID(),
          ts: new Date().toISOString(),
          type: 'UNAUTHORIZED_SECRET_ACCESS',
          severity: 'HIGH',
          subject,
          summary: `${subject} was denied ${burst.count} vault operations within ${Math.round(burst.windowMs / 1000)} s (last: ${record.action} on ${record.resource})`,
          evidence: { deniedCount: burst.count, windowSec: Math.round(burst.windowMs / 1000), resources: burst.resources, lastAction: record.action },
        },
      ], { timeoutMs: this.timeoutMs });
      this.metrics.incidents.inc();
    } catch (error) {
      // The denial itself is audited and refused either way; the incident is logged so it is not lost silently.
      this.logger.error(`UNAUTHORIZED_SECRET_ACCESS incident for ${subject} could not be produced (${describe(error)})`);
    }
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
