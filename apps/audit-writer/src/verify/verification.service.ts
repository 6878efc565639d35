import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { securityIncidentsContract } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import { PG_POOL, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AuditWriterConfig } from '../audit-writer.config';
import { AuditWriterMetrics } from '../audit-writer.metrics';
import { CHECKPOINT_KEY } from '../checkpoint/checkpoint.constants';
import type { CheckpointSigning } from '../checkpoint/checkpoint-signing';
import { integrityIncident } from './integrity-incident';
import type { VerificationFailure } from './log-verifier';
import { ScheduledVerifier, type VerificationRound } from './scheduled-verifier';

/**
 * Every VIGIL_AUDIT_VERIFY_INTERVAL, re-verifies the logs in this service's database
 * (ScheduledVerifier: incrementally, from where the last round stopped). A log that fails
 * raises AUDIT_INTEGRITY_VIOLATION on security.incidents.v1 once per failure streak (again
 * after it verified in between), and counts in vigil_audit_writer_verification_failures_total;
 * a clean round sets vigil_audit_writer_verification_last_success_timestamp_seconds.
 */
@Injectable()
export class VerificationService implements OnApplicationBootstrap {
  private readonly verifier: ScheduledVerifier;
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<VerificationRound | undefined> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AuditWriterConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(PG_POOL) pool: Pool,
    @Inject(CHECKPOINT_KEY) signing: CheckpointSigning,
    private readonly metrics: AuditWriterMetrics,
    private readonly producer: EventProducer,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.verifier = new ScheduledVerifier(pool, () => signing.trustedKeys, config.VIGIL_AUDIT_ORIGIN_PREFIX, config.VIGIL_AUDIT_FULL_VERIFY_EVERY);
    shutdown.onShutdown('scheduled verification', async () => {
      clearInterval(this.timer);
      await this.running;
    });
  }

  onApplicationBootstrap(): void {
    const interval = this.config.VIGIL_AUDIT_VERIFY_INTERVAL;
    if (interval === 0) return;
    // After the topics exist (incidents are published there); the first round runs one interval after start.
    void this.topics.ready.then(() => {
      if (this.shutdown.isShuttingDown) return;
      this.timer = setInterval(() => void this.tick(), interval);
      this.timer.unref();
    });
  }

  /** One round (none while one runs); resolves with its outcome, undefined when it could not run. */
  async tick(): Promise<VerificationRound | undefined> {
    if (this.running) return this.running;
    this.running = this.runRound();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runRound(): Promise<VerificationRound | undefined> {
    const started = performance.now();
    let round: VerificationRound;
    try {
      round = await this.verifier.round();
    } catch (error) {
      this.metrics.verificationFailures.inc({ reason: 'error' });
      this.logger.warn({ err: error }, 'scheduled audit log verification could not run; retrying at the next interval');
      return undefined;
    }
    this.metrics.verificationVerifiedEntries.set(round.verifiedSize);
    const failing = new Set(round.failures.map((failure) => failure.logId));
    for (const logId of [...this.reported]) if (!failing.has(logId)) this.reported.delete(logId);
    if (round.failures.length === 0) {
      this.metrics.verificationLastSuccess.set(Date.now() / 1000);
      this.logger.info({ entries: round.entries, verifiedSize: round.verifiedSize, ms: Math.round(performance.now() - started) }, 'audit logs verified');
      return round;
    }
    this.metrics.verificationFailures.inc({ reason: 'integrity' });
    for (const failure of round.failures) await this.raise(failure);
    return round;
  }

  private async raise(failure: VerificationFailure): Promise<void> {
    this.logger.error({ logId: failure.logId, problem: failure.message }, 'scheduled verification: audit log integrity violation');
    if (this.reported.has(failure.logId)) return;
    try {
      await this.producer.send(securityIncidentsContract, [
        integrityIncident({
          logId: failure.logId,
          problem: failure.message.replace(/^log [^,]+, /, ''),
          detectedBy: 'audit-writer scheduled verification',
          ...(failure.where.seq !== undefined ? { seq: failure.where.seq } : {}),
          ...(failure.where.treeSize !== undefined ? { treeSize: failure.where.treeSize } : {}),
        }),
      ]);
      this.reported.add(failure.logId);
    } catch (error) {
      this.logger.error({ err: error, logId: failure.logId }, 'AUDIT_INTEGRITY_VIOLATION could not be published; retrying at the next round');
    }
  }
}
