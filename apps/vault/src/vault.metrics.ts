import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { Counter, Gauge } from 'prom-client';

/** The vault's own metrics; labels are low-cardinality (operation kinds, outcomes), never paths or key names. */
@Injectable()
export class VaultMetrics {
  readonly operations: Counter<'operation' | 'outcome'>;
  readonly auditFailures: Counter;
  readonly incidents: Counter;
  readonly sealed: Gauge;
  readonly transitReserved: Counter<'key_version'>;

  constructor(registry: MetricsRegistry) {
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
  }
}
