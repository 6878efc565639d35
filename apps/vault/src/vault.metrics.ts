import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { Counter, Gauge } from 'prom-client';

/** The vault's own metrics; labels are low-cardinality (operation kinds, outcomes), never paths or key names. */
@Injectable()
export class VaultMetrics {
  readonly operations: Counter<'operation' | 'outcome'>;
  readonly auditFailures: Counter;
  readonly incidents: Counter;
  readonly sealed: Gauge;
  readonly transitReserved: Counter<'key_version'>;
  readonly liveLeases: Gauge;
  readonly keyringVersion: Gauge;
  readonly keyringReserved: Gauge;

  constructor(registry: MetricsRegistry, @Inject(PG_POOL) pool: Pool) {
    this.operations = new Counter({
      name: registry.metricName('operations_total'),
      help: 'Vault operations by kind (secrets.read, transit.encrypt, ...) and outcome (success, failure, denied, sealed, ...)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    this.auditFailures = new Counter({
      name: registry.metricName('audit_failures_total'),
      help: 'Operations refused because their audit event could not be produced',
      registers: [registry],
    });
    this.incidents = new Counter({
      name: registry.metricName('incidents_total'),
      help: 'UNAUTHORIZED_SECRET_ACCESS incidents raised',
      registers: [registry],
    });
    this.sealed = new Gauge({ name: registry.metricName('sealed'), help: '1 while the vault is sealed', registers: [registry] });
    // Per key *version number*, not per key name, so the series stay few.
    this.transitReserved = new Counter({
      name: registry.metricName('transit_encryptions_reserved_total'),
      help: 'Transit encryptions reserved against the per-key-version GCM limit, by key version number',
      labelNames: ['key_version'],
      registers: [registry],
    });
    // Read from Postgres at scrape time: the truth across replicas and restarts. Nothing when the schema is not there yet.
    const read = <T extends object>(sql: string) => pool.query<T>(sql).then((r) => r.rows[0], () => undefined);
    this.liveLeases = new Gauge({
      name: registry.metricName('leases_live'),
      help: 'Leases neither expired nor revoked (read at scrape time)',
      registers: [registry],
      async collect() {
        const row = await read<{ n: number }>('select count(*)::int as n from vault.leases where revoked_at is null and expires_at > now()');
        if (row) this.set(row.n);
      },
    });
    const newestKeyring = () => read<{ version: number; reserved: string }>('select version, encryptions_reserved as reserved from vault.keyring order by version desc limit 1');
    this.keyringVersion = new Gauge({
      name: registry.metricName('keyring_version'),
      help: 'The newest keyring version: new data is sealed with it (read at scrape time)',
      registers: [registry],
      async collect() {
        const row = await newestKeyring();
        if (row) this.set(row.version);
      },
    });
    this.keyringReserved = new Gauge({
      name: registry.metricName('keyring_encryptions_reserved'),
      help: 'Values the newest keyring key has sealed (reserved), against VIGIL_VAULT_KEYRING_ENCRYPTION_LIMIT (read at scrape time)',
      registers: [registry],
      async collect() {
        const row = await newestKeyring();
        if (row) this.set(Number(row.reserved));
      },
    });
  }
}
