import { freePort, registerSecretForLeakScan } from '@vigil/testing';
import { complianceAlertsContract, exampleComplianceAlert } from '@vigil/contracts';
import path from 'node:path';
import { AlerterHarness, until } from './test-support/alerter-harness';
import { AlertmanagerProcess } from './test-support/alertmanager-process';
import { RecordingServer } from './test-support/recording-server';

// Against a real Alertmanager (Debian's prometheus-alertmanager binary, started here on a
// free loopback port with a temporary config and storage): the alerter posts to its v2 API,
// and its webhook notifications come back into the alerter's ingest path.

const peer = new RecordingServer();
let harness: AlerterHarness;
let alertmanager: AlertmanagerProcess;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

beforeAll(async () => {
  await peer.start();
  process.env.ALERTER_AM_TEST_HOOK_SECRET = registerSecretForLeakScan('am-test-hook-secret', 'alerter alertmanager test webhook signing key');
  harness = new AlerterHarness({ VIGIL_ALERTER_GROUP_WAIT: '100ms', VIGIL_ALERTER_POLL_INTERVAL: '100ms' });
  const amPort = await freePort();
  await harness.setUp(`
receivers:
  alertmanager: { type: alertmanager, url: http://127.0.0.1:${amPort} }
  oncall-hook: { type: webhook, url: ${peer.url}/hook, secret: { env: ALERTER_AM_TEST_HOOK_SECRET } }
routes:
  # What Alertmanager notifies goes to on-call, never back to Alertmanager (no loop).
  - { match: { source: alertmanager }, receivers: [oncall-hook] }
defaultReceivers: [alertmanager]
`);
  alertmanager = new AlertmanagerProcess(amPort, path.join(harness.dir, 'alertmanager'));
  // Only alerts a Prometheus would raise (origin=prometheus) go to the alerter's webhook; the
  // alerter's own alerts stay in Alertmanager (the null receiver), so nothing loops.
  await alertmanager.start(`
route:
  receiver: 'null'
  group_by: [alertname]
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 2s
  routes:
    - matchers: ['origin="prometheus"']
      receiver: vigil
receivers:
  - name: 'null'
  - name: vigil
    webhook_configs:
      - url: ${harness.url}/api/alertmanager/webhook
        send_resolved: true
`);
});

afterAll(async () => {
  await alertmanager?.stop();
  await harness?.tearDown();
  await peer.stop();
});

describe('alerter with a real Alertmanager', () => {
  it("posts incidents to Alertmanager's v2 API with the incident's labels", async () => {
    const alert = exampleComplianceAlert({ fingerprint: 'am-fp-'.padEnd(64, 'e'), type: 'SPOOFING', severity: 'CRITICAL', venue: 'XLON' });
    await harness.producer.send(complianceAlertsContract, [alert, { ...alert, alertId: `${alert.alertId}-dup` }]);
    const incidentId = await until('the incident', async () => (await harness.pool.query<{ incident_id: string }>('SELECT incident_id FROM alerter.alerts WHERE fingerprint = $1', [`compliance:${alert.fingerprint}`])).rows[0]?.incident_id);

    const inAm = await until("the alert in Alertmanager's API", async () => {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
      return alerts.find((a) => a.labels.incident === incidentId);
    });
    expect(inAm.labels).toEqual({
      alertname: 'SPOOFING',
      severity: 'CRITICAL',
      type: 'SPOOFING',
      source: 'compliance',
      venue: 'XLON',
      instrument: alert.instrument,
      account: alert.accountId,
      trader: alert.traderId,
      incident: incidentId,
      state: 'triggered',
    });
    expect(inAm.annotations.summary).toBe(alert.summary);
    expect(inAm.status.state).toBe('active');
    const amAlerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
    expect(amAlerts.filter((a) => a.labels.incident === incidentId)).toHaveLength(1);
  });

  it("ingests Alertmanager's webhook notifications and deduplicates its repeats into one incident and one page", async () => {
    const startsAt = new Date().toISOString();
    const prometheusAlert = { labels: { alertname: 'KafkaConsumerLag', severity: 'warning', origin: 'prometheus', service: 'alerter' }, annotations: { summary: 'consumer lag above 10k' }, startsAt };
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([prometheusAlert]) });
    expect(posted.status).toBe(200);

    const alert = await until('the webhook notification ingested', async () =>
      (await harness.pool.query<{ fingerprint: string; incident_id: string; labels: Record<string, string>; severity: string }>(`SELECT * FROM alerter.alerts WHERE source = 'alertmanager'`)).rows[0],
    );
    expect(alert).toMatchObject({ severity: 'MEDIUM', labels: expect.objectContaining({ alertname: 'KafkaConsumerLag', origin: 'prometheus', service: 'alerter' }) });
    // Alertmanager repeats the notification (repeat_interval 2s): the repeats change nothing.
    await until('a repeated notification from Alertmanager', async () => {
      const metrics = await (await fetch(`${harness.url}/metrics`)).text();
      const match = /vigil_alerter_alerts_received_total\{[^}]*source="alertmanager"[^}]*outcome="duplicate-event"[^}]*\} (\d+)/.exec(metrics) ?? /vigil_alerter_alerts_received_total\{[^}]*outcome="duplicate-event"[^}]*source="alertmanager"[^}]*\} (\d+)/.exec(metrics);
      return match && Number(match[1]) >= 1 ? true : undefined;
    }, 150);
    const { rows } = await harness.pool.query(`SELECT count(*)::int AS alerts, count(DISTINCT incident_id)::int AS incidents FROM alerter.alerts WHERE source = 'alertmanager'`);
    expect(rows[0]).toEqual({ alerts: 1, incidents: 1 });
    await until('the page', () => (peer.to('/hook').length >= 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pages = peer.to('/hook');
    expect(pages.map((p) => p.headers['idempotency-key'])).toEqual([`${alert.incident_id}:oncall-hook:triggered`]);
  });
});
