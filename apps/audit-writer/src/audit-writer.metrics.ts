import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { Counter, Gauge } from 'prom-client';

/**
 * The audit-writer's own metrics. Entries per second are the Kafka consumer's
 * `vigil_kafka_consumer_messages_total` (one committed message, one entry). The log's size and
 * its newest checkpoint are read from Postgres at scrape time, so they are true across
 * replicas and restarts. No label: one number for the whole log.
 */
@Injectable()
export class AuditWriterMetrics {
  readonly integrityViolations: Counter;
  readonly entries: Gauge;
  readonly checkpointAge: Gauge;
  /** Entries committed by this process (rate() of it: entries/s). */
  readonly entriesAppended: Counter;
  readonly verificationLastSuccess: Gauge;
  readonly verificationFailures: Counter;
  readonly verificationVerifiedEntries: Gauge;

  constructor(registry: MetricsRegistry, @Inject(PG_POOL) pool: Pool) {
    const registers = [registry];
    this.integrityViolations = new Counter({
      name: registry.metricName('integrity_violations_total'),
      help: 'Logs found tampered with while appending (AUDIT_INTEGRITY_VIOLATION raised; appending to that log stopped)',
      registers,
    });
    this.entriesAppended = new Counter({
      name: registry.metricName('entries_appended_total'),
      help: 'Entries this process appended to the partition logs (counted after their transaction committed)',
      registers,
    });
    this.verificationLastSuccess = new Gauge({
      name: registry.metricName('verification_last_success_timestamp_seconds'),
      help: 'When the scheduled in-service verification last found every log intact (Unix seconds; absent before the first)',
      registers,
    });
    this.verificationFailures = new Counter({
      name: registry.metricName('verification_failures_total'),
      help: 'Scheduled verification rounds that found a log tampered with (AUDIT_INTEGRITY_VIOLATION raised) or could not run',
      labelNames: ['reason'],
      registers,
    });
    this.verificationVerifiedEntries = new Gauge({
      name: registry.metricName('verification_verified_entries'),
      help: 'Entries (all logs) the scheduled verification has verified so far in this process',
      registers,
    });
    const read = () =>
      pool
        .query<{ entries: number; age: number | null }>(
          `SELECT (SELECT coalesce(sum(tree_size), 0) FROM audit.logs)::float8 AS entries,
                  (SELECT extract(epoch FROM now() - max(created_at)) FROM audit.checkpoints)::float8 AS age`,
        )
        .then((result) => result.rows[0], () => undefined); // schema not there yet, or Postgres away: /readyz says which
    this.entries = new Gauge({
      name: registry.metricName('log_entries'),
      help: 'Entries in all partition logs (read at scrape time)',
      registers,
      async collect() {
        const row = await read();
        if (row) this.set(row.entries);
      },
    });
    this.checkpointAge = new Gauge({
      name: registry.metricName('checkpoint_age_seconds'),
      help: 'Time since the newest signed checkpoint of any log (read at scrape time; absent before the first)',
      registers,
      async collect() {
        const row = await read();
        if (row?.age != null) this.set(row.age);
      },
    });
  }
}
