import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { Counter, Histogram } from 'prom-client';

/** What became of a request to /api/<service>/...: a fixed set of labels. */
export type ProxyOutcome =
  | 'forwarded'
  | 'unauthenticated'
  | 'session_revoked'
  | 'denied'
  | 'step_up_required'
  | 'no_route'
  | 'rate_limited'
  | 'bad_request'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'auth_unavailable'
  | 'audit_unavailable';

/** The proxy's metrics; labels are the service name (or `unknown`), outcome and status class. */
@Injectable()
export class ProxyMetrics {
  readonly requests: Counter<'service' | 'outcome'>;
  readonly duration: Histogram<'service' | 'status_class'>;
  readonly rateLimited: Counter<'scope'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.requests = new Counter({
      name: registry.metricName('proxy_requests_total'),
      help: 'Requests to /api/<service>/... by service and outcome (forwarded, denied, rate_limited, upstream_timeout, ...)',
      labelNames: ['service', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: registry.metricName('proxy_request_duration_seconds'),
      help: 'Time from the request to the end of the answer through the proxy, by service and status class (2xx, 4xx, ...)',
      labelNames: ['service', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.rateLimited = new Counter({
      name: registry.metricName('rate_limited_total'),
      help: 'Requests refused with 429 by the rate limiter, by scope (proxy_principal, proxy_ip, login_ip, login_account)',
      labelNames: ['scope'],
      registers,
    });
  }
}
