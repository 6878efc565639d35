import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditEvent } from '@vigil/contracts';
import { inTransaction } from '@vigil/database';
import { describeError } from '@vigil/observability';
import { SERVICE_LOGGER } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AUTH_DB } from '../store/auth-db.provider';
import { AuditRecorder } from './audit-recorder';

const EVERY_MS = 5_000;
const BATCH = 100;

/**
 * Publishes the audit events that commands without Kafka left in `auth.audit_outbox` (the first
 * admin's bootstrap) and deletes them once the producer has them: at start-up and every 5 s.
 * Rows are locked while they are sent (skip locked), so replicas do not send the same event
 * twice at once; a failed send leaves them for the next round.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(AUTH_DB) private readonly pool: Pool,
    private readonly audit: AuditRecorder,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`audit outbox: publishing failed, retrying in ${EVERY_MS / 1000} s: ${describeError(error)}`))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sends what is in the outbox now; the number of events published. */
  async drain(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ eventId: string; event: AuditEvent }>(
        `select event_id as "eventId", event from auth.audit_outbox order by created_at limit ${BATCH} for update skip locked`,
      );
      for (const row of rows) await this.audit.record(row.event);
      if (rows.length > 0) await client.query(`delete from auth.audit_outbox where event_id = any($1::uuid[])`, [rows.map((r) => r.eventId)]);
      return rows.length;
    });
  }
}
