import type { AuditEvent } from '@vigil/contracts';
import { registerSecretForLeakScan, testPrefix } from '@vigil/testing';
import { verifyWebhook } from './receivers/webhook-signature';
import { AlerterHarness, until } from './test-support/alerter-harness';
import { http, PeerServices, type Session } from './test-support/peer-services';
import { RecordingServer } from './test-support/recording-server';

// The end-to-end incident drill, with nothing faked but the pager (a local HTTP peer that
// records what it gets): a real brute-force attack on the REAL auth-gateway raises a
// BRUTE_FORCE security incident on Kafka → the alerter opens an incident and pages →
// a security officer (real gateway login with TOTP) acknowledges (escalation stops) →
// revokes the attacker's target's sessions and locks the account at the gateway, rotates a
// key at the REAL vault → resolves. The timeline holds every step with its actor, and
// audit.events.v1 holds every action, from the alerter and from the services that did the work.

const HOOK_SECRET = registerSecretForLeakScan('drill-hook-secret', 'alerter drill webhook signing key');
const peer = new RecordingServer();
let peers: PeerServices;
let harness: AlerterHarness;
let officer: Session;
let sre: Session;
let bob: Session & { password: string };

const routing = (peerUrl: string) => `
groupBy: [source, type, subject]
receivers:
  oncall: { type: webhook, url: ${peerUrl}/hook, secret: { env: ALERTER_DRILL_HOOK_SECRET } }
  pagerduty: { type: pagerduty, url: ${peerUrl}/pd, routingKey: { env: ALERTER_DRILL_PD_KEY } }
  escalation: { type: webhook, url: ${peerUrl}/escalation, secret: { env: ALERTER_DRILL_HOOK_SECRET } }
routes:
  - { match: { source: security }, receivers: [oncall, pagerduty] }
escalations:
  - match: { type: BRUTE_FORCE }
    steps: [{ delay: 4s, targets: [escalation] }]
`;

beforeAll(async () => {
  await peer.start();
  process.env.ALERTER_DRILL_HOOK_SECRET = HOOK_SECRET;
  process.env.ALERTER_DRILL_PD_KEY = registerSecretForLeakScan('drill-pd-routing-key', 'alerter drill PagerDuty routing key');
  // One topic prefix for the three services: the gateway's incidents and everyone's audit events meet there.
  const prefix = testPrefix();
  peers = new PeerServices(prefix);
  await peers.start();
  harness = new AlerterHarness({
    VIGIL_ALERTER_GROUP_WAIT: '200ms',
    VIGIL_ALERTER_POLL_INTERVAL: '100ms',
    VIGIL_ALERTER_AUTH_ISSUER: 'vigil-auth-gateway',
    VIGIL_ALERTER_AUTH_JWKS_URL: peers.jwksUrl,
    VIGIL_ALERTER_GATEWAY_URL: peers.gateway.url,
    VIGIL_ALERTER_VAULT_URL: peers.vault.url,
  });
  harness.prefix = prefix;
  await harness.setUp(routing(peer.url));
  const admin = await peers.adminSession();
  expect((await http(peers.vault.url, 'POST', '/v1/transit/keys/trade-signing', undefined, admin.accessToken)).status).toBe(201);
  officer = await peers.user('sec-officer', ['security-officer']);
  sre = await peers.user('sre-one', ['sre']);
  bob = await peers.user('bob', ['compliance-officer']);
}, 120_000);

afterAll(async () => {
  await harness?.tearDown();
  await peers?.stop();
  await peer.stop();
});

const api = (session: Session | undefined, method: string, urlPath: string, body?: unknown) => http(harness.url, method, urlPath, body, session?.accessToken);
const auditsOf = (predicate: (e: AuditEvent) => boolean) => harness.audits.filter(predicate);

describe('incident drill', () => {
  it('brute force on the gateway → incident → page → acknowledge → revoke sessions, lock account, rotate key → resolve, all on the timeline and in the audit trail', async () => {
    // 1. The attack: five wrong passwords for bob at the real gateway.
    for (let i = 0; i < 5; i++) expect((await http(peers.gateway.url, 'POST', '/v1/auth/login', { username: 'bob', password: `wrong password ${i}!` })).status).toBe(401);

    // 2. The gateway's BRUTE_FORCE incident on security.incidents.v1 opens an incident at the alerter, and it pages.
    const incident = await until('the incident', async () => {
      const list = (await api(officer, 'GET', '/api/incidents?type=BRUTE_FORCE')).body.incidents as { id: string; createdAt: string; labels: Record<string, string> }[];
      return list.find((i) => i.labels.subject === 'account:user:bob');
    });
    const id = incident.id;
    await until('the page', () => (peer.to('/hook').length === 1 && peer.to('/pd').length === 1 ? true : undefined));
    const [page] = peer.to('/hook') as [(typeof peer.requests)[number]];
    expect(verifyWebhook(HOOK_SECRET, page.headers['x-vigil-timestamp'] as string, page.body, page.headers['x-vigil-signature'] as string)).toBe(true);
    expect(page.json).toMatchObject({ status: 'firing', incident: { id, state: 'triggered', severity: 'MEDIUM' }, commonLabels: { source: 'security', type: 'BRUTE_FORCE', subject: 'account:user:bob' } });
    expect((peer.to('/pd')[0]?.json as { event_action: string; dedup_key: string })).toMatchObject({ event_action: 'trigger', dedup_key: id });

    // 3. Acknowledge with a real gateway token: escalation stops (no deadline, and none fires after it would have).
    expect((await api(undefined, 'POST', `/api/incidents/${id}/acknowledge`, {})).status).toBe(401);
    const ack = await api(officer, 'POST', `/api/incidents/${id}/acknowledge`, { note: 'on it: brute force on bob' });
    expect(ack.body).toMatchObject({ state: 'acknowledged', nextEscalationAt: null });

    // 4. Mitigations. An sre may acknowledge but not lock accounts (403, nothing on the timeline); a bad body is a 400 naming the field.
    expect((await api(sre, 'POST', `/api/incidents/${id}/actions/lock-account`, { userId: bob.userId })).status).toBe(403);
    const bad = await api(officer, 'POST', `/api/incidents/${id}/actions/lock-account`, { userId: 'bob' });
    expect(bad).toMatchObject({ status: 400, body: { problems: [expect.stringMatching(/^userId: /)] } });

    // Revoke bob's sessions at the gateway: his refresh token stops working.
    const revoked = await api(officer, 'POST', `/api/incidents/${id}/actions/revoke-sessions`, { userId: bob.userId, note: 'end whatever the attacker got' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.mitigation).toMatchObject({ mitigation: 'revoke-sessions', service: 'auth-gateway', target: `user:${bob.userId}`, upstreamStatus: 200, result: { sessionsRevoked: 1 } });
    expect((await http(peers.gateway.url, 'POST', '/v1/auth/refresh', { refreshToken: bob.refreshToken })).status).toBe(401);

    // Lock (disable) the account, named as the incident names it (by username): even the right password no longer logs in.
    const locked = await api(officer, 'POST', `/api/incidents/${id}/actions/lock-account`, { username: 'bob' });
    expect(locked.body.mitigation).toMatchObject({ mitigation: 'lock-account', service: 'auth-gateway', target: `user:${bob.userId}`, username: 'bob', upstreamStatus: 200, result: { disabled: true } });
    expect((await peers.gatewayPool.query('SELECT disabled FROM auth.users WHERE id = $1', [bob.userId])).rows[0]).toEqual({ disabled: true });
    const nobody = await api(officer, 'POST', `/api/incidents/${id}/actions/revoke-sessions`, { username: 'mallory' });
    expect(nobody).toMatchObject({ status: 502, body: { service: 'auth-gateway', upstreamStatus: 404, message: 'revoke-sessions of username:mallory failed: auth-gateway has no user named mallory' } });

    // Rotate the transit key at the vault: version 2.
    const rotated = await api(officer, 'POST', `/api/incidents/${id}/actions/rotate-key`, { key: 'trade-signing' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.mitigation).toMatchObject({ mitigation: 'rotate-key', service: 'vault', target: 'transit-key:trade-signing', upstreamStatus: 200 });
    expect(JSON.stringify(rotated.body.mitigation.result)).toMatch(/"latest_?[vV]ersion":2/);

    // The owning service's failure: 502 naming it, and the attempt stays on the timeline.
    const failed = await api(officer, 'POST', `/api/incidents/${id}/actions/rotate-key`, { key: 'no-such-key' });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: 'mitigation_failed', service: 'vault', upstreamStatus: 404, message: expect.stringMatching(/^rotate-key of transit-key:no-such-key failed: vault answered 404/) });

    // 5. Resolve: paged, and the escalation deadline (4 s after the incident opened) has passed without a page.
    const resolved = await api(officer, 'POST', `/api/incidents/${id}/resolve`, { note: 'account locked, sessions ended, key rotated' });
    expect(resolved.body).toMatchObject({ state: 'resolved' });
    await until('the resolve page', () => (peer.to('/pd').length === 3 ? true : undefined));
    expect(peer.to('/pd').map((r) => (r.json as { event_action: string }).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(incident.createdAt) + 4500 - Date.now())));
    expect(peer.to('/escalation')).toHaveLength(0);

    // 6. The timeline: every step in order, with its actor.
    const officerActor = `user:${officer.userId}`;
    const detail = (await api(officer, 'GET', `/api/incidents/${id}`)).body;
    expect(detail.timeline.map((t: { actor: string; action: string }) => [t.actor, t.action])).toEqual([
      ['source:security', 'incident.triggered'],
      ['system', 'notification.sent'],
      [officerActor, 'incident.acknowledged'],
      ['system', 'notification.sent'],
      [officerActor, 'mitigation.requested'], // revoke bob's sessions
      [officerActor, 'mitigation.succeeded'],
      [officerActor, 'mitigation.requested'], // lock bob's account
      [officerActor, 'mitigation.succeeded'],
      [officerActor, 'mitigation.requested'], // revoke the sessions of an unknown user
      [officerActor, 'mitigation.failed'],
      [officerActor, 'mitigation.requested'], // rotate the key
      [officerActor, 'mitigation.succeeded'],
      [officerActor, 'mitigation.requested'], // rotate a missing key
      [officerActor, 'mitigation.failed'],
      [officerActor, 'incident.resolved'],
      ['system', 'notification.sent'],
    ]);
    expect(detail.timeline[4]).toMatchObject({ note: 'end whatever the attacker got', details: { mitigation: 'revoke-sessions', service: 'auth-gateway', target: `user:${bob.userId}` } });
    expect(detail.timeline[6]).toMatchObject({ details: { mitigation: 'lock-account', target: 'username:bob' } });
    expect(detail.timeline[7]).toMatchObject({ details: { mitigation: 'lock-account', target: `user:${bob.userId}`, username: 'bob', result: { disabled: true } } });
    expect(detail.timeline[13]).toMatchObject({ details: { mitigation: 'rotate-key', service: 'vault', upstreamStatus: 404, error: expect.stringMatching(/^vault answered 404/) } });

    // 7. The audit trail: the alerter's record of each action, and the owning services' own record naming the same person.
    const alerterActions = await until('the alerter audit events', () => {
      const mine = auditsOf((e) => e.service === 'alerter' && e.resource === `incident:${id}` && e.action !== 'authz.decision');
      return mine.length === 7 ? mine : undefined;
    });
    expect(alerterActions.map((e) => [e.action, e.actor.id, e.outcome])).toEqual([
      ['incidents.acknowledge', officer.userId, 'success'],
      ['incidents.mitigate.revoke-sessions', officer.userId, 'success'],
      ['incidents.mitigate.lock-account', officer.userId, 'success'],
      ['incidents.mitigate.revoke-sessions', officer.userId, 'failure'],
      ['incidents.mitigate.rotate-key', officer.userId, 'success'],
      ['incidents.mitigate.rotate-key', officer.userId, 'failure'],
      ['incidents.resolve', officer.userId, 'success'],
    ]);
    await until('the owning services audit events', () => {
      const gateway = auditsOf((e) => e.service === 'auth-gateway' && e.actor.id === officer.userId && e.resource === `user:${bob.userId}` && e.outcome === 'success').map((e) => e.action);
      const vault = auditsOf((e) => e.service === 'vault' && e.actor.id === officer.userId && e.action === 'transit.rotate' && e.outcome === 'success');
      return gateway.includes('sessions.revoke') && gateway.includes('users.disable') && vault.length === 1 ? true : undefined;
    });
    // The sre's refused lock is audited as a denied decision.
    await until('the denied decision', () => auditsOf((e) => e.service === 'alerter' && e.action === 'authz.decision' && e.outcome === 'denied' && e.actor.id === sre.userId).length > 0 || undefined);
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_alerter_mitigations_total\{action="rotate-key",outcome="failure",service="alerter"\} 1$/m);
    expect(metrics.split('\n').filter((line) => line.startsWith('vigil_alerter_time_to_acknowledge_seconds_count'))).toEqual(['vigil_alerter_time_to_acknowledge_seconds_count{service="alerter",severity="MEDIUM"} 1']);
  });
});
