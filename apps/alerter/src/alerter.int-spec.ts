import { registerSecretForLeakScan } from '@vigil/testing';
import { complianceAlertsContract, exampleComplianceAlert, exampleSecurityIncident, securityIncidentsContract } from '@vigil/contracts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { verifyWebhook } from './receivers/webhook-signature';
import { AlerterHarness, until } from './test-support/alerter-harness';
import { RecordingServer } from './test-support/recording-server';

// The alerter against the real Postgres and Kafka, paging local HTTP receivers that record
// what they get (our own test peers on 127.0.0.1).

const HOOK_SECRET = registerSecretForLeakScan('hook-signing-key-for-tests', 'alerter test webhook signing key');
const peer = new RecordingServer();
let harness: AlerterHarness;

const routing = (peerUrl: string, slackFile: string) => `
groupBy: [source, type, venue, desk, subject]
receivers:
  oncall-hook: { type: webhook, url: ${peerUrl}/hook, secret: { env: ALERTER_TEST_HOOK_SECRET } }
  pagerduty: { type: pagerduty, url: ${peerUrl}/pd, routingKey: { env: ALERTER_TEST_PD_KEY } }
  slack: { type: slack, webhookUrl: { file: ${slackFile} } }
  flaky: { type: webhook, url: ${peerUrl}/flaky, secret: { env: ALERTER_TEST_HOOK_SECRET } }
  broken: { type: webhook, url: ${peerUrl}/broken, secret: { env: ALERTER_TEST_HOOK_SECRET } }
  escalation-target: { type: webhook, url: ${peerUrl}/escalation, secret: { env: ALERTER_TEST_HOOK_SECRET } }
  escalation-two: { type: webhook, url: ${peerUrl}/escalation-2, secret: { env: ALERTER_TEST_HOOK_SECRET } }
routes:
  - { match: { type: SPOOFING }, receivers: [oncall-hook, pagerduty, slack] }
  - { match: { type: WASH_TRADE }, receivers: [flaky] }
  - { match: { type: LAYERING }, receivers: [broken] }
  - { match: { type: QueueBacklog }, receivers: [pagerduty] }
defaultReceivers: [oncall-hook]
escalations:
  - match: { type: BRUTE_FORCE }
    steps: [{ delay: 3s, targets: [escalation-target] }]
  - match: { type: MFA_FAILURE_BURST }
    condition: if-not-resolved
    repeat: 1
    steps: [{ delay: 1s, targets: [escalation-two] }]
`;

beforeAll(async () => {
  await peer.start();
  process.env.ALERTER_TEST_HOOK_SECRET = HOOK_SECRET;
  process.env.ALERTER_TEST_PD_KEY = registerSecretForLeakScan('pd-routing-key-for-tests', 'alerter test PagerDuty routing key');
  harness = new AlerterHarness({
    VIGIL_ALERTER_GROUP_WAIT: '300ms',
    VIGIL_ALERTER_POLL_INTERVAL: '100ms',
    VIGIL_ALERTER_RETRY_BASE: '100ms',
    VIGIL_ALERTER_MAX_ATTEMPTS: '5',
  });
  const slackFile = path.join(harness.dir, 'slack-url');
  writeFileSync(slackFile, `${peer.url}/slack\n`);
  await harness.setUp(routing(peer.url, slackFile));
});

afterAll(async () => {
  await harness?.tearDown();
  await peer.stop();
});

const incidentOf = async (fingerprint: string) =>
  (await harness.pool.query<{ incident_id: string; count: string }>('SELECT incident_id, count FROM alerter.alerts WHERE fingerprint = $1', [fingerprint])).rows[0];
const deliveries = async (incidentId: string) =>
  (await harness.pool.query<{ receiver: string; state: string; status: string; attempts: number; idempotency_key: string }>('SELECT * FROM alerter.deliveries WHERE incident_id = $1 ORDER BY id', [incidentId])).rows;
const settled = async (incidentId: string, count: number) => {
  const rows = await deliveries(incidentId);
  return rows.length === count && rows.every((row) => row.status === 'delivered' || row.status === 'failed') ? rows : undefined;
};

describe('alerter', () => {
  it('pages exactly once per incident state across a burst of 10,000 duplicate alerts, signed, and keeps the timeline and audit trail', async () => {
    const fingerprint = 'burst-fp-'.padEnd(64, 'a');
    const burst = Array.from({ length: 10_000 }, () => exampleComplianceAlert({ fingerprint, type: 'SPOOFING', severity: 'CRITICAL', venue: 'XLON' }));
    // Every 10th event is sent twice (a redelivery): it must count once.
    const sent = [...burst, ...burst.filter((_, i) => i % 10 === 0)];
    for (let i = 0; i < sent.length; i += 1000) await harness.producer.send(complianceAlertsContract, sent.slice(i, i + 1000));

    const alert = await until('10,000 alerts counted', async () => {
      const row = await incidentOf(`compliance:${fingerprint}`);
      return row && Number(row.count) === 10_000 ? row : undefined;
    }, 1200);
    const incidentId = alert.incident_id;
    await until('the triggered page', () => settled(incidentId, 3));
    const hook = peer.to('/hook').filter((r) => JSON.stringify(r.json).includes(incidentId));
    expect(hook).toHaveLength(1);
    expect(peer.to('/pd').filter((r) => (r.json as { dedup_key: string }).dedup_key === incidentId).map((r) => (r.json as { event_action: string }).event_action)).toEqual(['trigger']);
    expect(peer.to('/slack')).toHaveLength(1);

    // The webhook's signature verifies over the exact body with its timestamp; a changed body does not.
    const [page] = hook as [(typeof hook)[number]];
    const ts = page.headers['x-vigil-timestamp'] as string;
    const signature = page.headers['x-vigil-signature'] as string;
    expect(verifyWebhook(HOOK_SECRET, ts, page.body, signature)).toBe(true);
    expect(verifyWebhook(HOOK_SECRET, ts, page.body.replace('CRITICAL', 'LOW'), signature)).toBe(false);
    expect(verifyWebhook('another-secret', ts, page.body, signature)).toBe(false);
    expect(page.headers['idempotency-key']).toBe(`${incidentId}:oncall-hook:triggered`);
    expect(page.json).toMatchObject({ version: '4', status: 'firing', incident: { id: incidentId, state: 'triggered', severity: 'CRITICAL' }, alerts: [{ fingerprint: `compliance:${fingerprint}` }] });

    // Acknowledge: one page per receiver for the new state; more duplicates page nobody.
    const ack = await harness.call(['sre'], 'POST', `/api/incidents/${incidentId}/acknowledge`, { note: 'looking at ACC-1' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ state: 'acknowledged' });
    await harness.producer.send(complianceAlertsContract, burst.slice(0, 50).map((a) => ({ ...a, alertId: `${a.alertId}-again` })));
    await until('the acknowledged page', () => settled(incidentId, 6));
    await until('the later duplicates counted', async () => (Number((await incidentOf(`compliance:${fingerprint}`))?.count) === 10_050 ? true : undefined));

    // sre may not resolve (the policy); security-officer may.
    expect((await harness.call(['sre'], 'POST', `/api/incidents/${incidentId}/resolve`, {})).status).toBe(403);
    expect((await harness.call(undefined, 'POST', `/api/incidents/${incidentId}/resolve`, {})).status).toBe(401);
    expect((await harness.call(['security-officer'], 'POST', `/api/incidents/${incidentId}/assign`, { assignee: 'bob' })).status).toBe(200);
    expect((await harness.call(['security-officer'], 'POST', `/api/incidents/${incidentId}/notes`, { note: 'ACC-1 frozen by the desk' })).status).toBe(200);
    const resolved = await harness.call(['security-officer'], 'POST', `/api/incidents/${incidentId}/resolve`, { note: 'false positive: market maker' });
    expect(resolved.body).toMatchObject({ state: 'resolved', assignee: 'bob' });
    expect((await harness.call(['security-officer'], 'POST', `/api/incidents/${incidentId}/resolve`, {})).status).toBe(409);
    await until('the resolved page', () => settled(incidentId, 9));

    const states = (await deliveries(incidentId)).map((d) => `${d.receiver}:${d.state}:${d.status}`).sort();
    expect(states).toEqual(
      ['oncall-hook', 'pagerduty', 'slack'].flatMap((r) => [`${r}:acknowledged:delivered`, `${r}:resolved:delivered`, `${r}:triggered:delivered`]).sort(),
    );
    expect(peer.to('/pd').filter((r) => (r.json as { dedup_key: string }).dedup_key === incidentId).map((r) => (r.json as { event_action: string }).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);

    const detail = (await harness.call(['auditor'], 'GET', `/api/incidents/${incidentId}`)).body;
    expect(detail.postIncidentDue).toBe(new Date(Date.parse(detail.createdAt) + 3 * 86_400_000).toISOString());
    expect(detail.timeline.map((t: { actor: string; action: string; note: string | null }) => [t.actor, t.action, t.note])).toEqual([
      ['source:compliance', 'incident.triggered', burst[0]?.summary],
      ['system', 'notification.sent', null],
      ['user:sre-user', 'incident.acknowledged', 'looking at ACC-1'],
      ['system', 'notification.sent', null],
      ['user:security-officer-user', 'incident.assigned', null],
      ['user:security-officer-user', 'incident.noted', 'ACC-1 frozen by the desk'],
      ['user:security-officer-user', 'incident.resolved', 'false positive: market maker'],
      ['system', 'notification.sent', null],
    ]);
    // Append-only, also for someone with SQL access through the service's role.
    await expect(harness.pool.query('UPDATE alerter.incident_timeline SET note = $1', ['rewritten'])).rejects.toThrow(/append-only/);
    await expect(harness.pool.query('DELETE FROM alerter.incident_timeline')).rejects.toThrow(/append-only/);

    const audited = await until('the audit events', () => {
      const mine = harness.audits.filter((e) => e.resource === `incident:${incidentId}` && e.action !== 'authz.decision');
      return mine.length === 4 ? mine : undefined;
    });
    expect(audited.map((e) => [e.action, e.actor.id, e.outcome])).toEqual([
      ['incidents.acknowledge', 'sre-user', 'success'],
      ['incidents.assign', 'security-officer-user', 'success'],
      ['incidents.note', 'security-officer-user', 'success'],
      ['incidents.resolve', 'security-officer-user', 'success'],
    ]);
    await until('the denied decision audited', () =>
      harness.audits.find((e) => e.action === 'authz.decision' && e.outcome === 'denied' && e.resource === `incident:${incidentId}` && e.actor.id === 'sre-user') ? true : undefined,
    );
  });

  it('retries on 500 and 429 with back-off until delivered, and never retries a 400', async () => {
    peer.script('/flaky', [500, 429, 200]);
    peer.script('/broken', [400]);
    const wash = exampleComplianceAlert({ fingerprint: 'wash-fp-'.padEnd(64, 'b'), type: 'WASH_TRADE', venue: 'XPAR' });
    const layering = exampleComplianceAlert({ fingerprint: 'layer-fp-'.padEnd(64, 'c'), type: 'LAYERING', venue: 'XPAR' });
    await harness.producer.send(complianceAlertsContract, [wash, layering]);
    const washIncident = (await until('the wash alert', () => incidentOf(`compliance:${wash.fingerprint}`))).incident_id;
    const layeringIncident = (await until('the layering alert', () => incidentOf(`compliance:${layering.fingerprint}`))).incident_id;

    const [flaky] = await until('the flaky delivery', () => settled(washIncident, 1));
    expect(flaky).toMatchObject({ receiver: 'flaky', status: 'delivered', attempts: 3, last_status_code: 200 });
    expect(peer.to('/flaky').map((r) => r.headers['idempotency-key'])).toEqual(Array(3).fill(`${washIncident}:flaky:triggered`));

    const [broken] = await until('the broken delivery', () => settled(layeringIncident, 1));
    expect(broken).toMatchObject({ receiver: 'broken', status: 'failed', attempts: 1, last_status_code: 400 });
    // Several retry periods later, still the one request.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(peer.to('/broken')).toHaveLength(1);
    expect((await deliveries(layeringIncident))[0]?.attempts).toBe(1);
  });

  it('escalates an unacknowledged incident once, across a restart of the alerter before its deadline, and never an acknowledged one', async () => {
    const unacked = exampleSecurityIncident({ type: 'BRUTE_FORCE', subject: 'user:mallory', severity: 'HIGH' });
    const acked = exampleSecurityIncident({ type: 'BRUTE_FORCE', subject: 'user:trent', severity: 'HIGH' });
    await harness.producer.send(securityIncidentsContract, [unacked, acked]);
    const unackedId = (await until('the first incident', () => incidentOf(`security:${unacked.incidentId}`))).incident_id;
    const ackedId = (await until('the second incident', () => incidentOf(`security:${acked.incidentId}`))).incident_id;
    expect((await harness.call(['sre'], 'POST', `/api/incidents/${ackedId}/acknowledge`, {})).status).toBe(200);

    // Down across the deadline (3 s after the incident opened); the deadline is in Postgres.
    await harness.stop();
    const { rows } = await harness.pool.query<{ next_escalation_at: Date | null; id: string }>('SELECT id, next_escalation_at FROM alerter.incidents WHERE id = ANY($1)', [[unackedId, ackedId]]);
    const deadline = rows.find((r) => r.id === unackedId)?.next_escalation_at;
    expect(deadline).toBeInstanceOf(Date);
    expect(rows.find((r) => r.id === ackedId)?.next_escalation_at).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (deadline as Date).getTime() - Date.now()) + 500));
    await harness.start();

    await until('the escalation page', () => (peer.to('/escalation').length >= 1 ? true : undefined));
    // A restart after the escalation fired does not fire it again.
    await harness.stop();
    await harness.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const escalations = peer.to('/escalation');
    expect(escalations.map((r) => [r.headers['idempotency-key'], (r.json as { incident: { id: string } }).incident.id])).toEqual([[`${unackedId}:escalation-target:escalation-1`, unackedId]]);
    const detail = (await harness.call(['security-officer'], 'GET', `/api/incidents/${unackedId}`)).body;
    expect(detail).toMatchObject({ escalationLevel: 1, nextEscalationAt: null, postIncidentDue: new Date(Date.parse(detail.createdAt) + 5 * 86_400_000).toISOString() });
    expect(detail.timeline.filter((t: { action: string }) => t.action === 'incident.escalated')).toEqual([expect.objectContaining({ actor: 'system', details: { level: 1, targets: ['escalation-target'] } })]);
    expect((await harness.call(['security-officer'], 'GET', `/api/incidents/${ackedId}`)).body).toMatchObject({ escalationLevel: 0, state: 'acknowledged' });
  });

  it('keeps escalating an acknowledged incident under an if-not-resolved policy, through its repeats, then stops', async () => {
    const burst = exampleSecurityIncident({ type: 'MFA_FAILURE_BURST', subject: 'user:oscar', severity: 'MEDIUM' });
    await harness.producer.send(securityIncidentsContract, [burst]);
    const id = (await until('the incident', () => incidentOf(`security:${burst.incidentId}`))).incident_id;
    expect((await harness.call(['sre'], 'POST', `/api/incidents/${id}/acknowledge`, {})).body).toMatchObject({ state: 'acknowledged' });
    await until('both levels paged', () => (peer.to('/escalation-2').length >= 2 ? true : undefined));
    const detail = await until('the policy exhausted', async () => {
      const body = (await harness.call(['security-officer'], 'GET', `/api/incidents/${id}`)).body;
      return body.escalationLevel === 2 && body.nextEscalationAt === null ? body : undefined;
    });
    expect(detail.postIncidentDue).toBe(new Date(Date.parse(detail.createdAt) + 10 * 86_400_000).toISOString());
    // One step, repeated once: levels 1 and 2, then nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(peer.to('/escalation-2').map((r) => r.headers['idempotency-key'])).toEqual([`${id}:escalation-two:escalation-1`, `${id}:escalation-two:escalation-2`]);
  });

  it('records silenced alerts instead of paging them, and validates silences naming the bad field', async () => {
    const bad = await harness.call(['compliance-officer'], 'POST', '/api/silences', { matchers: [{ name: 'venue', value: '(' , isRegex: true }], comment: 'x', endsAt: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^endsAt: /), 'matchers.0.value: is not a valid regular expression']));
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await harness.call(['compliance-officer'], 'POST', '/api/silences', { matchers: [{ name: 'venue', value: 'XNAS' }, { name: 'type', value: 'SPOOF.*', isRegex: true }], comment: 'venue test day', endsAt });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ author: 'user:compliance-officer-user', state: 'active' });

    const muted = exampleComplianceAlert({ fingerprint: 'muted-fp-'.padEnd(64, 'd'), type: 'SPOOFING', venue: 'XNAS' });
    await harness.producer.send(complianceAlertsContract, [muted, { ...muted, alertId: `${muted.alertId}-2` }]);
    const silence = await until('the silenced alerts recorded', async () => {
      const body = (await harness.call(['compliance-officer'], 'GET', `/api/silences/${created.body.id}`)).body;
      return body.silencedCount === 2 ? body : undefined;
    });
    expect(silence.silenced.map((s: { fingerprint: string }) => s.fingerprint)).toEqual([`compliance:${muted.fingerprint}`, `compliance:${muted.fingerprint}`]);
    const alerts = (await harness.call(['compliance-officer'], 'GET', '/api/alerts?silenced=true')).body.alerts;
    expect(alerts).toEqual([expect.objectContaining({ fingerprint: `compliance:${muted.fingerprint}`, incidentId: null, silencedBy: created.body.id, count: 2 })]);

    // Expired, the next arrival opens an incident.
    expect((await harness.call(['compliance-officer'], 'DELETE', `/api/silences/${created.body.id}`)).body.state).toBe('expired');
    await harness.producer.send(complianceAlertsContract, [{ ...muted, alertId: `${muted.alertId}-3` }]);
    await until('the incident after the silence', async () => ((await incidentOf(`compliance:${muted.fingerprint}`))?.incident_id ? true : undefined));
  });

  it('ingests Alertmanager webhook payloads through the same dedup, and names the bad field of an invalid one', async () => {
    const invalid = await harness.call(undefined, 'POST', '/api/alertmanager/webhook', { version: '3', alerts: [{ status: 'firing', labels: {}, startsAt: 'x' }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^version: /), expect.stringMatching(/^alerts\.0\.fingerprint: /)]));
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      status: 'firing',
      receiver: 'vigil',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: {},
      commonAnnotations: {},
      alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1' }, annotations: { summary: 'disk 95% full on db-1' }, startsAt: '2026-03-02T14:30:00Z', fingerprint: 'ab12cd34ef56' }],
    };
    expect((await harness.call(undefined, 'POST', '/api/alertmanager/webhook', payload)).body).toEqual({ outcomes: ['incident-created'] });
    expect((await harness.call(undefined, 'POST', '/api/alertmanager/webhook', payload)).body).toEqual({ outcomes: ['duplicate-event'] });
    const rows = (await harness.call(['sre'], 'GET', '/api/alerts?source=alertmanager')).body.alerts;
    expect(rows).toEqual([expect.objectContaining({ fingerprint: 'alertmanager:ab12cd34ef56', severity: 'CRITICAL', type: 'DiskFull', count: 1 })]);
    const open = (await harness.pool.query(`SELECT severity, count(*)::int AS n FROM alerter.incidents WHERE state <> 'resolved' GROUP BY severity`)).rows as { severity: string; n: number }[];
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    for (const severity of ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) {
      expect(metrics).toMatch(new RegExp(`^vigil_alerter_open_incidents\\{severity="${severity}",service="alerter"\\} ${open.find((o) => o.severity === severity)?.n ?? 0}$`, 'm'));
    }
    // The outbox backlog: none once every delivery settled; a delivery held back (retry due in an hour, made a minute ago) counts with its age.
    const backlog = async () => {
      const text = await (await fetch(`${harness.url}/metrics`)).text();
      return [/^vigil_alerter_deliveries_pending\{service="alerter"\} (\S+)$/m, /^vigil_alerter_oldest_pending_delivery_seconds\{service="alerter"\} (\S+)$/m].map((re) => Number(re.exec(text)?.[1]));
    };
    await until('every delivery settled', async () => ((await harness.pool.query(`SELECT 1 FROM alerter.deliveries WHERE status IN ('pending', 'sending')`)).rowCount === 0 ? true : undefined));
    expect(await backlog()).toEqual([0, 0]);
    const incident = (await harness.pool.query<{ id: string }>('SELECT id FROM alerter.incidents LIMIT 1')).rows[0]?.id;
    await harness.pool.query(
      `INSERT INTO alerter.deliveries (incident_id, receiver, state, kind, idempotency_key, next_attempt_at, created_at) VALUES ($1, 'oncall-hook', 'triggered', 'notify', 'held-back', now() + interval '1 hour', now() - interval '60 seconds')`,
      [incident],
    );
    const [pending, oldest] = await backlog();
    expect(pending).toBe(1);
    expect(oldest).toBeGreaterThanOrEqual(60);
    expect(oldest).toBeLessThan(120);
    await harness.pool.query(`DELETE FROM alerter.deliveries WHERE idempotency_key = 'held-back'`);
  });

  it('auto-resolves an incident once every linked alert is resolved, says why on the timeline, pages the resolve and audits it', async () => {
    const notification = (alerts: { status: string; instance: string; startsAt?: string }[]) => ({
      version: '4',
      groupKey: '{}:{alertname="QueueBacklog"}',
      status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
      receiver: 'vigil',
      alerts: alerts.map((a) => ({
        status: a.status,
        labels: { alertname: 'QueueBacklog', severity: 'warning', instance: a.instance },
        annotations: { summary: `backlog on ${a.instance}` },
        startsAt: a.startsAt ?? '2026-03-02T15:00:00Z',
        ...(a.status === 'resolved' ? { endsAt: '2026-03-02T15:10:00Z' } : {}),
        fingerprint: `backlog-${a.instance}`,
      })),
    });
    const post = async (body: unknown) => (await harness.call(undefined, 'POST', '/api/alertmanager/webhook', body)).body.outcomes;
    expect(await post(notification([{ status: 'firing', instance: 'q-1' }, { status: 'firing', instance: 'q-2' }]))).toEqual(['incident-created', 'incident-joined']);
    const id = (await incidentOf('alertmanager:backlog-q-1'))?.incident_id as string;
    expect((await incidentOf('alertmanager:backlog-q-2'))?.incident_id).toBe(id);
    await until('the trigger page', () => settled(id, 1));

    // One of two resolved: the incident stays open.
    expect(await post(notification([{ status: 'resolved', instance: 'q-1' }]))).toEqual(['resolved']);
    expect((await harness.call(['sre'], 'GET', `/api/incidents/${id}`)).body.state).toBe('triggered');
    // The last one resolved: the incident resolves by itself and the resolve is paged (PagerDuty resolve on the same dedup_key).
    expect(await post(notification([{ status: 'resolved', instance: 'q-2' }]))).toEqual(['incident-resolved']);
    const rows = await until('the resolve page', () => settled(id, 2));
    expect(rows.map((r) => `${r.receiver}:${r.state}:${r.status}`)).toEqual(['pagerduty:triggered:delivered', 'pagerduty:resolved:delivered']);
    expect(peer.to('/pd').filter((r) => (r.json as { dedup_key: string }).dedup_key === id).map((r) => (r.json as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);

    const detail = (await harness.call(['sre'], 'GET', `/api/incidents/${id}`)).body;
    expect(detail).toMatchObject({ state: 'resolved', resolvedAt: expect.any(String) });
    expect(detail.timeline.map((t: { actor: string; action: string }) => `${t.actor} ${t.action}`)).toEqual([
      'source:alertmanager incident.triggered',
      'source:alertmanager alert.linked',
      'system notification.sent',
      'source:alertmanager alert.resolved',
      'source:alertmanager alert.resolved',
      'system incident.resolved',
      'system notification.sent',
    ]);
    expect(detail.timeline[5]).toMatchObject({ note: 'auto-resolved: all 2 linked alert(s) resolved, the last by alertmanager', details: { reason: 'all-alerts-resolved', alerts: 2, lastFingerprint: 'alertmanager:backlog-q-2' } });
    const audited = await until('the automatic resolve audited', () => harness.audits.find((e) => e.resource === `incident:${id}` && e.action === 'incidents.resolve'));
    expect(audited).toMatchObject({ actor: { type: 'system', id: 'alerter' }, outcome: 'success', details: { automatic: true, reason: 'all-alerts-resolved' } });

    // A resolved alert repeated changes nothing; the same alert firing again later opens a new incident.
    expect(await post(notification([{ status: 'resolved', instance: 'q-2' }]))).toEqual(['duplicate-event']);
    expect(await post(notification([{ status: 'firing', instance: 'q-1', startsAt: '2026-03-02T16:00:00Z' }]))).toEqual(['incident-created']);
    expect((await incidentOf('alertmanager:backlog-q-1'))?.incident_id).not.toBe(id);
  });
});
