import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG, ShutdownService } from '@vigil/service';
import type { Pool } from 'pg';
import type { AlerterConfig } from '../alerter.config';
import { AlerterBootstrap } from '../alerter.bootstrap';
import { AlerterMetrics } from '../alerter.metrics';
import { inTransaction } from '@vigil/database';
import { loadNotification, type IncidentRow } from '../incidents/incident-rows';
import { appendTimeline } from '../incidents/timeline';
import type { IncidentState } from '../receivers/receiver';
import { ReceiverRegistry } from '../receivers/receiver-registry';
import { Routing } from '../routing/routing';
import { escalationApplies, fireEscalation } from './escalation';

const BATCH = 50;
const MAX_BACKOFF_MS = 300_000;

interface DeliveryRow {
  id: string;
  incident_id: string;
  receiver: string;
  state: IncidentState;
  kind: 'notify' | 'escalation';
  idempotency_key: string;
  attempts: number;
}

/**
 * Everything time-driven, polled from Postgres so that deadlines survive a restart and
 * replicas share the work (FOR UPDATE SKIP LOCKED):
 * - due notifications (group wait elapsed, a state change, the repeat interval) become
 *   deliveries, one per (incident, receiver, state[, repeat round]) by a unique key;
 * - due escalation steps of incidents still triggered;
 * - deliveries to send: leased, sent, recorded; retried with exponential back-off on
 *   429/5xx/timeouts; any other answer fails at once. A crash between sending and
 *   recording re-sends after the lease with the same idempotency key.
 */
@Injectable()
export class AlerterWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('AlerterWorker');
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private busy = false;
  private wakeAgain = false;
  private started = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: AlerterConfig,
    private readonly routing: Routing,
    private readonly receivers: ReceiverRegistry,
    private readonly bootstrap: AlerterBootstrap,
    private readonly metrics: AlerterMetrics,
    shutdown: ShutdownService,
  ) {
    shutdown.onShutdown('alerter worker', async () => {
      this.stopped = true;
      clearTimeout(this.timer);
      await this.running;
    });
  }

  onApplicationBootstrap(): void {
    void this.bootstrap.ready.then(() => {
      this.started = true;
      this.schedule(0);
    });
  }

  /**
   * Something became due now (a new incident without group wait, a state change): run a pass
   * at once instead of at the next poll. Polling stays the source of truth (other replicas,
   * restarts); this only cuts the latency.
   */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.busy) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.busy = true;
      this.wakeAgain = false;
      this.running = this.tick()
        .catch((error: Error) => this.logger.warn(`alerter worker tick failed, retrying: ${error.message}`))
        .finally(() => {
          this.busy = false;
          this.schedule(this.wakeAgain ? 0 : this.config.VIGIL_ALERTER_POLL_INTERVAL);
        });
    }, delay);
  }

  /** One pass; public so that tests and benchmarks can drive it. */
  async tick(): Promise<void> {
    while (!this.stopped && (await this.dueNotifications()) === BATCH);
    while (!this.stopped && (await this.dueEscalations()) === BATCH);
    while (!this.stopped && (await this.dueDeliveries()) > 0);
  }

  private dueNotifications(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const due = await client.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE notify_at <= now() ORDER BY notify_at LIMIT $1 FOR UPDATE SKIP LOCKED', [BATCH]);
      for (const incident of due.rows) {
        const repeat = incident.notified_state === incident.state;
        const round = repeat ? incident.notify_round + 1 : 0;
        const receivers = this.routing.receiversFor(incident.labels);
        for (const receiver of receivers) {
          const key = `${incident.id}:${receiver}:${incident.state}${round ? `:repeat-${round}` : ''}`;
          await client.query(
            `INSERT INTO alerter.deliveries (incident_id, receiver, state, kind, idempotency_key) VALUES ($1, $2, $3, 'notify', $4) ON CONFLICT (idempotency_key) DO NOTHING`,
            [incident.id, receiver, incident.state, key],
          );
        }
        await client.query(
          `UPDATE alerter.incidents SET notified_state = state, notify_round = $2,
             notify_at = CASE WHEN state = 'triggered' THEN now() + $3::bigint * interval '1 millisecond' END WHERE id = $1`,
          [incident.id, round, this.config.VIGIL_ALERTER_REPEAT_INTERVAL],
        );
        await appendTimeline(client, incident.id, { actor: 'system', action: repeat ? 'notification.repeated' : 'notification.sent', details: { state: incident.state, receivers } });
      }
      return due.rowCount ?? 0;
    });
  }

  private dueEscalations(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const due = await client.query<IncidentRow>(
        `SELECT * FROM alerter.incidents WHERE next_escalation_at <= now() AND state <> 'resolved' ORDER BY next_escalation_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      for (const incident of due.rows) {
        if (!escalationApplies(this.routing, incident)) {
          await client.query('UPDATE alerter.incidents SET next_escalation_at = NULL WHERE id = $1', [incident.id]);
          continue;
        }
        const level = await fireEscalation(client, this.routing, incident, 'system');
        if (level !== undefined) this.metrics.escalations.inc({ level: String(level) });
      }
      return due.rowCount ?? 0;
    });
  }

  private async dueDeliveries(): Promise<number> {
    const leaseMs = this.config.VIGIL_ALERTER_RECEIVER_TIMEOUT + 10_000;
    const claimed = await this.pool.query<DeliveryRow>(
      `UPDATE alerter.deliveries d SET status = 'sending', attempts = d.attempts + 1, lease_until = now() + $2::bigint * interval '1 millisecond'
        WHERE d.id IN (SELECT id FROM alerter.deliveries
                        WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until < now())
                        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.incident_id, d.receiver, d.state, d.kind, d.idempotency_key, d.attempts`,
      [BATCH, leaseMs],
    );
    await Promise.all(claimed.rows.map((delivery) => this.deliver(delivery)));
    return claimed.rowCount ?? 0;
  }

  private async deliver(delivery: DeliveryRow): Promise<void> {
    const receiver = this.receivers.get(delivery.receiver);
    const notification = await loadNotification(this.pool, delivery.incident_id, delivery.state, delivery.kind, delivery.idempotency_key);
    const result =
      receiver && notification
        ? await receiver.send(notification, this.config.VIGIL_ALERTER_RECEIVER_TIMEOUT)
        : { outcome: 'failed' as const, detail: receiver ? 'incident not found' : `receiver ${delivery.receiver} is not configured` };
    const giveUp = result.outcome === 'retry' && delivery.attempts >= this.config.VIGIL_ALERTER_MAX_ATTEMPTS;
    const status = result.outcome === 'delivered' ? 'delivered' : result.outcome === 'retry' && !giveUp ? 'pending' : 'failed';
    const backoff = Math.min(this.config.VIGIL_ALERTER_RETRY_BASE * 2 ** (delivery.attempts - 1), MAX_BACKOFF_MS);
    await this.pool.query(
      `UPDATE alerter.deliveries SET status = $2, outcome = $3, last_status_code = $4, lease_until = NULL,
         next_attempt_at = now() + $5::bigint * interval '1 millisecond', delivered_at = CASE WHEN $2 = 'delivered' THEN now() END WHERE id = $1`,
      [delivery.id, status, giveUp ? `gave up after ${delivery.attempts} attempts: ${result.detail}` : result.detail, result.statusCode ?? null, backoff],
    );
    this.metrics.notifications.inc({ receiver: delivery.receiver, outcome: status === 'pending' ? 'retry' : status });
    if (status === 'failed') this.logger.warn(`delivery ${delivery.idempotency_key} failed: ${result.detail}`);
  }
}
