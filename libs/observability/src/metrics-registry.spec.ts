import { Counter } from 'prom-client';
import { KafkaMetrics } from './kafka-metrics';
import { MetricsRegistry } from './metrics-registry';

describe('MetricsRegistry', () => {
  it('exposes the default Node metrics with the service label', async () => {
    const text = await new MetricsRegistry('vault').metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="vault"\} \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="vault"\} \d/m);
  });

  it('can leave the default metrics out', async () => {
    expect(await new MetricsRegistry('vault', { defaultMetrics: false }).metrics()).toBe('\n');
  });

  it("names a service's own metric vigil_<service>_<what>", async () => {
    const registry = new MetricsRegistry('compliance-detector', { defaultMetrics: false });
    const name = registry.metricName('alerts_raised_total');
    expect(name).toBe('vigil_compliance_detector_alerts_raised_total');
    new Counter({ name, help: 'Alerts raised', labelNames: ['type'], registers: [registry] }).inc({ type: 'SPOOFING' });
    expect(await registry.metrics()).toContain('vigil_compliance_detector_alerts_raised_total{type="SPOOFING",service="compliance-detector"} 1');
  });

  it('carries the shared Kafka metrics as vigil_kafka_* with the service label', async () => {
    const registry = new MetricsRegistry('alerter', { defaultMetrics: false });
    const kafka = new KafkaMetrics(registry);
    kafka.consumed.inc({ topic: 'compliance.alerts.v1', partition: '0', group: 'alerter' }, 3);
    const text = await registry.metrics();
    expect(text).toContain('vigil_kafka_consumer_messages_total{topic="compliance.alerts.v1",partition="0",group="alerter",service="alerter"} 3');
    expect(text).toContain('# TYPE vigil_kafka_consumer_lag_messages gauge');
    expect(text).toContain('# TYPE vigil_kafka_producer_send_duration_seconds histogram');
  });
});
