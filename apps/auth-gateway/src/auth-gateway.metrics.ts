import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { Counter, Gauge } from 'prom-client';

/**
 * The gateway's own metrics, fed by AuditRecorder: every audited decision (logins, MFA, token
 * issue, the guard's authorization decisions) and every security incident (lockouts) passes
 * through it. Labels are the audit action, outcome, incident type and severity: a fixed set,
 * never a user, account or address.
 */
@Injectable()
export class AuthGatewayMetrics {
  readonly auditEvents: Counter<'action' | 'outcome'>;
  readonly incidents: Counter<'type' | 'severity'>;
  readonly signingKeyAge: Gauge;

  constructor(registry: MetricsRegistry, @Inject(PG_POOL) pool: Pool) {
    const registers = [registry];
    this.auditEvents = new Counter({
      name: registry.metricName('audit_events_total'),
      help: 'Audited decisions by action (auth.login, auth.mfa.verify, authz.decision, ...) and outcome (success, failure, denied, allowed)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.incidents = new Counter({
      name: registry.metricName('security_incidents_total'),
      help: 'Security incidents raised, by type (BRUTE_FORCE and MFA_FAILURE_BURST are lockouts) and severity',
      labelNames: ['type', 'severity'],
      registers,
    });
    // Read at scrape time: the truth across replicas and rotations by another instance.
    this.signingKeyAge = new Gauge({
      name: registry.metricName('signing_key_age_seconds'),
      help: 'Age of the active token signing key (read at scrape time)',
      registers,
      async collect() {
        const rows = await pool
          .query<{ age: number }>(`SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM auth.signing_keys WHERE status = 'active'`)
          .then((result) => result.rows, () => undefined);
        if (rows?.[0]) this.set(rows[0].age); // none yet, or Postgres away: /readyz says which
      },
    });
  }
}
