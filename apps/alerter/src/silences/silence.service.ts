import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '@vigil/auth';
import { PG_POOL } from '@vigil/service';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { AuditRecorder } from '../audit/audit-recorder';
import { inTransaction } from '@vigil/database';
import { actorOf } from '../incidents/incident.service';
import { matcherSchema } from './silence-matcher';

export const silenceInputSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1),
    comment: z.string().trim().min(1).max(2000),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
  })
  .strict()
  .superRefine((input, ctx) => {
    input.matchers.forEach((matcher, i) => {
      if (!matcher.isRegex) return;
      try {
        new RegExp(matcher.value);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['matchers', i, 'value'], message: 'is not a valid regular expression' });
      }
    });
    if (Date.parse(input.endsAt) <= Date.parse(input.startsAt ?? new Date().toISOString())) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt (default now)' });
  });
export type SilenceInput = z.output<typeof silenceInputSchema>;

const SELECT = `SELECT s.id, s.matchers, s.author, s.comment, s.starts_at AS "startsAt", s.ends_at AS "endsAt", s.created_at AS "createdAt", s.expired_at AS "expiredAt",
  CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN 'expired' WHEN s.starts_at > now() THEN 'pending' ELSE 'active' END AS state,
  (SELECT count(*)::int FROM alerter.silenced_alerts x WHERE x.silence_id = s.id) AS "silencedCount"
  FROM alerter.silences s`;

/** Silences with Alertmanager-style matchers; the author is the caller. Expiring keeps the row (and what it silenced). */
@Injectable()
export class SilenceService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly audit: AuditRecorder,
  ) {}

  async list(state?: string) {
    const rows = (await this.pool.query(`${SELECT} ORDER BY s.created_at DESC LIMIT 500`)).rows as { state: string }[];
    return state ? rows.filter((row) => row.state === state) : rows;
  }

  async get(id: string) {
    const row = (await this.pool.query(`${SELECT} WHERE s.id = $1`, [id])).rows[0];
    if (!row) throw new NotFoundException({ error: 'not_found', message: `silence ${id} does not exist` });
    const silenced = await this.pool.query(
      `SELECT a.fingerprint, a.labels, x.event_id AS "eventId", x.at FROM alerter.silenced_alerts x JOIN alerter.alerts a ON a.id = x.alert_id WHERE x.silence_id = $1 ORDER BY x.id DESC LIMIT 200`,
      [id],
    );
    return { ...row, silenced: silenced.rows };
  }

  async create(input: SilenceInput, who: Principal) {
    const id = `sil-${randomUUID()}`;
    await inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO alerter.silences (id, matchers, author, comment, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        JSON.stringify(input.matchers),
        actorOf(who),
        input.comment,
        input.startsAt ?? new Date().toISOString(),
        input.endsAt,
      ]);
      await this.audit.audit({ actor: { type: who.type, id: who.id, roles: [...who.roles] }, action: 'silences.create', resource: `silence:${id}`, outcome: 'success', details: { matchers: input.matchers, endsAt: input.endsAt } });
    });
    return this.get(id);
  }

  async update(id: string, input: SilenceInput, who: Principal) {
    await inTransaction(this.pool, async (client) => {
      const updated = await client.query(
        `UPDATE alerter.silences SET matchers = $2, comment = $3, starts_at = COALESCE($4, starts_at), ends_at = $5, author = $6 WHERE id = $1 AND expired_at IS NULL`,
        [id, JSON.stringify(input.matchers), input.comment, input.startsAt ?? null, input.endsAt, actorOf(who)],
      );
      if (!updated.rowCount) throw new NotFoundException({ error: 'not_found', message: `silence ${id} does not exist or has expired` });
      await this.audit.audit({ actor: { type: who.type, id: who.id, roles: [...who.roles] }, action: 'silences.update', resource: `silence:${id}`, outcome: 'success', details: { matchers: input.matchers, endsAt: input.endsAt } });
    });
    return this.get(id);
  }

  async expire(id: string, who: Principal) {
    await inTransaction(this.pool, async (client) => {
      const expired = await client.query('UPDATE alerter.silences SET expired_at = now() WHERE id = $1 AND expired_at IS NULL', [id]);
      if (!expired.rowCount) throw new NotFoundException({ error: 'not_found', message: `silence ${id} does not exist or has expired` });
      await this.audit.audit({ actor: { type: who.type, id: who.id, roles: [...who.roles] }, action: 'silences.expire', resource: `silence:${id}`, outcome: 'success' });
    });
    return this.get(id);
  }
}
