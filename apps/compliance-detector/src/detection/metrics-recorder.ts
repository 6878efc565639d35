import type { DetectorMetrics } from '../detector.metrics';

type Labels = Record<string, string>;

/** The part of DetectorMetrics the Detector uses: what a worker thread records and the main thread replays. */
export interface DetectorMetricsPort {
  events: CounterPort;
  evaluations: CounterPort;
  ruleSeconds: CounterPort;
  alerts: CounterPort;
  snapshots: CounterPort;
  idleFlushes: CounterPort;
  stateConflicts: CounterPort;
  logEntriesReplayed: CounterPort;
  roundTripsTotal: CounterPort;
  windowLag: { set(value: number): void };
  roundTrips: { observe(value: number): void };
}

interface CounterPort {
  inc(labelsOrValue?: Labels | number, value?: number): void;
}

type CounterName = { [K in keyof DetectorMetricsPort]: DetectorMetricsPort[K] extends CounterPort ? K : never }[keyof DetectorMetricsPort];

/** One recorded change: a counter's summed increase under its labels, the gauge's last value, or the histogram's observations. */
export type MetricChange =
  | { kind: 'inc'; name: CounterName; labels: Labels | undefined; value: number }
  | { kind: 'set'; name: 'windowLag'; value: number }
  | { kind: 'observe'; name: 'roundTrips'; values: number[] };

/**
 * Metrics for a Detector on a worker thread: prom-client's registry lives in the main thread
 * (it serves /metrics), so the worker records what the Detector reports — increments summed
 * per counter and label set, so a batch of 20 instruments × 8 rules sends a few dozen numbers,
 * not hundreds of calls — and `take()` hands them to the main thread with the batch's reply.
 */
export class MetricsRecorder {
  private counters = new Map<string, Extract<MetricChange, { kind: 'inc' }>>();
  private lag: number | undefined;
  private observed: number[] = [];
  readonly metrics: DetectorMetricsPort;

  constructor() {
    const counter = (name: CounterName): CounterPort => ({
      inc: (labelsOrValue, value) => {
        const labels = typeof labelsOrValue === 'object' ? labelsOrValue : undefined;
        const amount = typeof labelsOrValue === 'number' ? labelsOrValue : (value ?? 1);
        const key = labels ? `${name}\u0000${JSON.stringify(labels)}` : name;
        const change = this.counters.get(key);
        if (change) change.value += amount;
        else this.counters.set(key, { kind: 'inc', name, labels, value: amount });
      },
    });
    this.metrics = {
      events: counter('events'),
      evaluations: counter('evaluations'),
      ruleSeconds: counter('ruleSeconds'),
      alerts: counter('alerts'),
      snapshots: counter('snapshots'),
      idleFlushes: counter('idleFlushes'),
      stateConflicts: counter('stateConflicts'),
      logEntriesReplayed: counter('logEntriesReplayed'),
      roundTripsTotal: counter('roundTripsTotal'),
      windowLag: { set: (value) => (this.lag = value) },
      roundTrips: { observe: (value) => this.observed.push(value) },
    };
  }

  /** What was recorded since the last take. */
  take(): MetricChange[] {
    const changes: MetricChange[] = [...this.counters.values()];
    if (this.lag !== undefined) changes.push({ kind: 'set', name: 'windowLag', value: this.lag });
    if (this.observed.length > 0) changes.push({ kind: 'observe', name: 'roundTrips', values: this.observed });
    this.counters = new Map();
    this.lag = undefined;
    this.observed = [];
    return changes;
  }
}

/** Applies a worker's recorded changes to the service's metrics. */
export function applyMetricChanges(changes: readonly MetricChange[], metrics: DetectorMetrics): void {
  for (const change of changes) {
    if (change.kind === 'inc') {
      const counter = metrics[change.name] as unknown as CounterPort;
      if (change.labels) counter.inc(change.labels, change.value);
      else counter.inc(change.value);
    } else if (change.kind === 'set') {
      metrics.windowLag.set(change.value);
    } else {
      for (const value of change.values) metrics.roundTrips.observe(value);
    }
  }
}
