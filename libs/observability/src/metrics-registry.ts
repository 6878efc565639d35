import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus registry. Naming, so dashboards and alert rules can rely on it:
 * - every sample carries the label `service` (the default label set here);
 * - a service's own metrics are `vigil_<service>_<what>` (`metricName('alerts_sent_total')`
 *   in compliance-detector gives `vigil_compliance_detector_alerts_sent_total`);
 * - metrics of a shared library are `vigil_<lib>_<what>`, e.g. `vigil_kafka_*` (KafkaMetrics)
 *   and `vigil_http_*`, told apart by the `service` label rather than by name;
 * - counters end in `_total`, durations are histograms in `_seconds`, sizes in `_bytes`;
 * - labels are low-cardinality (topic, route pattern, outcome), never ids or keys;
 * - Node's default metrics keep prom-client's standard names (`process_*`, `nodejs_*`),
 *   which the common Node.js dashboards expect.
 */
export class MetricsRegistry extends Registry {
  constructor(
    readonly service: string,
    { defaultMetrics = true }: { defaultMetrics?: boolean } = {},
  ) {
    super();
    this.setDefaultLabels({ service });
    if (defaultMetrics) collectDefaultMetrics({ register: this });
  }

  /** `vigil_<service>_<suffix>` with the service name in snake case. */
  metricName(suffix: string): string {
    return `vigil_${this.service.replace(/[^A-Za-z0-9]+/g, '_')}_${suffix}`;
  }
}
