import { Registry } from 'prom-client';
import { DetectorMetrics } from '../detector.metrics';
import { applyMetricChanges, MetricsRecorder } from './metrics-recorder';

describe('MetricsRecorder (a worker thread\'s metrics, replayed on the main thread)', () => {
  const series = async (metrics: DetectorMetrics, key: 'events' | 'idleFlushes' | 'roundTrips' | 'windowLag') =>
    (await metrics[key].get()).values.map((v) => [(v as { metricName?: string }).metricName ?? '', v.labels, v.value]);

  it('sums counter increments per label set, keeps the gauge\'s last value and every observation', async () => {
    const recorder = new MetricsRecorder();
    const m = recorder.metrics;
    m.events.inc({ outcome: 'accepted', venue: 'XLON' }, 3);
    m.events.inc({ outcome: 'accepted', venue: 'XLON' }, 4);
    m.events.inc({ outcome: 'late', venue: 'XLON' }, 1);
    m.idleFlushes.inc(2);
    m.idleFlushes.inc();
    m.windowLag.set(5);
    m.windowLag.set(1.5);
    m.roundTrips.observe(1);
    m.roundTrips.observe(3);
    const changes = recorder.take();
    // 2 label sets of events, 1 idle flush series, the gauge, the histogram: 5 changes, not 9 calls.
    expect(changes).toHaveLength(5);

    const metrics = new DetectorMetrics(new Registry());
    applyMetricChanges(changes, metrics);
    expect(await series(metrics, 'events')).toEqual(
      expect.arrayContaining([
        ['', { outcome: 'accepted', venue: 'XLON' }, 7],
        ['', { outcome: 'late', venue: 'XLON' }, 1],
      ]),
    );
    expect(await series(metrics, 'idleFlushes')).toEqual([['', {}, 3]]);
    expect(await series(metrics, 'windowLag')).toEqual([['', {}, 1.5]]);
    const histogram = await series(metrics, 'roundTrips');
    expect(histogram).toEqual(expect.arrayContaining([['vigil_compliance_detector_redis_round_trips_per_batch_count', {}, 2], ['vigil_compliance_detector_redis_round_trips_per_batch_sum', {}, 4]]));
  });

  it('starts afresh after each take, so a change is applied once', async () => {
    const recorder = new MetricsRecorder();
    recorder.metrics.snapshots.inc();
    expect(recorder.take()).toHaveLength(1);
    expect(recorder.take()).toEqual([]);
  });
});
