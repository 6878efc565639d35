import { auditEventsContract, securityIncidentsContract, type AuditEvent, type SecurityIncident } from '@vigil/contracts';
import type { ConsumerRunner } from './consumer-runner';
import { createConsumerRunner } from './kafka.factory';
import { silentLogger } from './kafka-logger';

export interface SecurityEventRecorderOptions {
  brokers: string[];
  /** The topic prefix of the service under test. */
  topicPrefix: string;
  /** The registry's Confluent API when the service produces Avro; unset for JSON. */
  registryUrl?: string;
  clientId?: string;
}

/**
 * Everything a service under test put on audit.events.v1 and security.incidents.v1, read
 * back from the real topics (a consumer group of its own, from the start): the decoded
 * events in arrival order, and each one's JSON for "no secret value anywhere" scans.
 * For integration tests and tools; `stop()` when done.
 */
export class SecurityEventRecorder {
  readonly audits: AuditEvent[] = [];
  readonly incidents: SecurityIncident[] = [];
  /** JSON of every event and incident, for scanning. */
  readonly raw: string[] = [];
  private readonly runner: ConsumerRunner<AuditEvent | SecurityIncident>;

  constructor(options: SecurityEventRecorderOptions) {
    this.runner = createConsumerRunner<AuditEvent | SecurityIncident>({
      brokers: options.brokers,
      clientId: options.clientId ?? 'security-event-recorder',
      topicPrefix: options.topicPrefix,
      registryUrl: options.registryUrl,
      groupId: `${options.topicPrefix}security-event-recorder`,
      contracts: [auditEventsContract, securityIncidentsContract] as never,
      logger: silentLogger,
      lagIntervalMs: 0,
      handler: async (messages) => {
        for (const m of messages) {
          this.raw.push(JSON.stringify(m.value));
          if (m.topic.endsWith(securityIncidentsContract.topic)) this.incidents.push(m.value as SecurityIncident);
          else this.audits.push(m.value as AuditEvent);
        }
      },
    });
  }

  /** Starts consuming in the background (the group joins asynchronously). */
  start(): this {
    void this.runner.start();
    return this;
  }

  auditsFor(resource: string): AuditEvent[] {
    return this.audits.filter((e) => e.resource === resource);
  }

  /** Polls `probe` every 100 ms until it gives a value; throws naming `what` after timeoutMs. */
  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.audits.length} audit events, ${this.incidents.length} incidents recorded)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }
}
