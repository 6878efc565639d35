import { complianceAlertsContract, type ComplianceAlert } from '@vigil/contracts';
import type { EventProducer } from '@vigil/kafka';
import type { Detection } from './detector';

/** How far before an alert's `ts` the read-back starts: its record's timestamp is taken later on the same clock; this covers a clock step. */
export const READ_BACK_MARGIN_MS = 60_000;

/** compliance.alerts.v1 read back from a time to its end (libs/kafka readBack over the service's connection). */
export type PublishedSince = (sinceMs: number) => Promise<ComplianceAlert[]>;

/**
 * Publishes a detection's alerts exactly once: produce, then confirm (which clears them from
 * the outbox in Redis). A crash between the two leaves alerts in the outbox that are already
 * on the topic; the next batch hands them out again (`resent`), and before producing those this
 * reads compliance.alerts.v1 back from just before they were raised and leaves out the ones
 * found there. Alerts whose produce never happened (a crash before it) are not found and go
 * out. Only a batch that re-sends pays the read-back, which is rare.
 *
 * If the read-back fails (it is bounded in time: an alert left in the outbox long ago makes a
 * long range), the re-sent alerts are produced anyway and `readBackFailed` is told: a possible
 * duplicate, with the same alertId and fingerprint receivers dedupe on, rather than a consumer
 * stuck on one batch.
 */
export class AlertPublisher {
  constructor(
    private readonly producer: EventProducer,
    private readonly publishedSince: PublishedSince,
    private readonly hooks: { skipped?(count: number): void; readBackFailed?(error: unknown, resent: number): void } = {},
  ) {}

  async publish(detection: Detection): Promise<void> {
    const found = detection.resent.size > 0 ? await this.resentAlreadyPublished(detection) : undefined;
    const alerts = found ? detection.alerts.filter((alert) => !found.has(alert.alertId)) : detection.alerts;
    if (alerts.length < detection.alerts.length) this.hooks.skipped?.(detection.alerts.length - alerts.length);
    if (alerts.length > 0) await this.producer.send(complianceAlertsContract, alerts);
    await detection.confirm();
  }

  /** The alertIds of the re-sent alerts that are already on the topic; undefined when the topic could not be read back. */
  private async resentAlreadyPublished(detection: Detection): Promise<Set<string> | undefined> {
    const resent = detection.alerts.filter((alert) => detection.resent.has(alert.alertId));
    const since = Math.min(...resent.map((alert) => Date.parse(alert.ts))) - READ_BACK_MARGIN_MS;
    try {
      const onTopic = new Set((await this.publishedSince(since)).map((alert) => alert.alertId));
      return new Set(resent.filter((alert) => onTopic.has(alert.alertId)).map((alert) => alert.alertId));
    } catch (error) {
      this.hooks.readBackFailed?.(error, resent.length);
      return undefined;
    }
  }
}
