import { securityIncidentsContract, exampleSecurityIncident } from '@vigil/contracts';
import { testPrefix } from '@vigil/testing';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { verifyWebhook } from './receivers/webhook-signature';
import { AlerterHarness, until } from './test-support/alerter-harness';
import { http, PeerServices, type Session } from './test-support/peer-services';
import { RecordingServer } from './test-support/recording-server';

// Receiver credentials from the REAL vault, read with the alerter's own service account
// (client credentials at the REAL gateway): used in the pages, rotations followed through
// the lease renewal, and a missing or foreign path stops start-up naming it.

const peer = new RecordingServer();
let peers: PeerServices;
let harness: AlerterHarness;
let admin: Session;

const routing = (pdRef: string, extra = '') => `
groupBy: [source, type, subject]
receivers:
  oncall: { type: webhook, url: ${peer.url}/hook, secret: { vault: webhook/alerter/oncall#signing_key } }
  pagerduty: { type: pagerduty, url: ${peer.url}/pd, routingKey: { vault: ${pdRef} } }
${extra}
defaultReceivers: [oncall, pagerduty]
`;

const writeSecret = async (secretPath: string, data: Record<string, string>) => {
  const res = await http(peers.vault.url, 'PUT', `/v1/secrets/data/${secretPath}`, { data }, admin.accessToken);
  if (res.status !== 200) throw new Error(`write ${secretPath}: ${res.status} ${JSON.stringify(res.body)}`);
};
const pagesOf = (subject: string) => peer.to('/pd').filter((r) => JSON.stringify(r.json).includes(subject));

beforeAll(async () => {
  await peer.start();
  const prefix = testPrefix();
  // A short lease: the client renews at 2/3 of it and picks up a rotated version.
  peers = new PeerServices(prefix, { VIGIL_VAULT_LEASE_TTL: '3s' });
  await peers.start();
  admin = await peers.adminSession();
  const account = await http(peers.gateway.url, 'POST', '/v1/admin/service-accounts', { clientId: 'svc-alerter', roles: ['svc-alerter'] }, admin.accessToken);
  expect(account.status).toBe(201);
  await writeSecret('webhook/alerter/pagerduty', { routing_key: 'pd-key-v1' });
  await writeSecret('webhook/alerter/oncall', { signing_key: 'hook-key-from-vault' });
  await writeSecret('webhook/reporter/pagerduty', { routing_key: 'not-for-the-alerter' });
  harness = new AlerterHarness({
    VIGIL_ALERTER_GROUP_WAIT: '0s',
    VIGIL_ALERTER_POLL_INTERVAL: '100ms',
    VIGIL_ALERTER_GATEWAY_URL: peers.gateway.url,
    VIGIL_ALERTER_VAULT_URL: peers.vault.url,
  });
  harness.prefix = prefix;
  const secretFile = path.join(harness.dir, 'svc-alerter.json');
  writeFileSync(secretFile, JSON.stringify({ clientId: 'svc-alerter', clientSecret: account.body.clientSecret }), { mode: 0o600 });
  harness.env.VIGIL_ALERTER_CLIENT_SECRET_FILE = secretFile;
  await harness.setUp(routing('webhook/alerter/pagerduty#routing_key'));
}, 120_000);

afterAll(async () => {
  await harness?.tearDown();
  await peers?.stop();
  await peer.stop();
});

describe('receiver credentials from the vault', () => {
  it('pages with the vault values, and follows a rotation without a restart', async () => {
    await harness.producer.send(securityIncidentsContract, [exampleSecurityIncident({ type: 'TOKEN_REPLAY', subject: 'user:first' })]);
    const [pd] = await until('the first page', () => (pagesOf('user:first').length === 1 ? pagesOf('user:first') : undefined));
    expect(pd?.json).toMatchObject({ routing_key: 'pd-key-v1', event_action: 'trigger' });
    const hook = await until('the webhook page', () => peer.to('/hook').find((r) => r.body.includes('user:first')));
    expect(verifyWebhook('hook-key-from-vault', hook.headers['x-vigil-timestamp'] as string, hook.body, hook.headers['x-vigil-signature'] as string)).toBe(true);

    // Rotated at the vault: after the lease renewal (2 s of a 3 s lease) the next page carries the new key.
    await writeSecret('webhook/alerter/pagerduty', { routing_key: 'pd-key-v2' });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await harness.producer.send(securityIncidentsContract, [exampleSecurityIncident({ type: 'TOKEN_REPLAY', subject: 'user:second' })]);
    const [second] = await until('the page after the rotation', () => (pagesOf('user:second').length === 1 ? pagesOf('user:second') : undefined));
    expect(second?.json).toMatchObject({ routing_key: 'pd-key-v2' });
    // The vault audited the alerter's reads under its own service identity.
    await until('the vault audit of the reads', () =>
      harness.audits.some((e) => e.service === 'vault' && e.actor.id === 'svc-alerter' && e.resource.includes('webhook/alerter/pagerduty') && e.outcome === 'success') || undefined,
    );
  });

  it('refuses to start when a path is missing or belongs to another service, naming each', async () => {
    await harness.stop();
    writeFileSync(path.join(harness.dir, 'routing.yaml'), routing('webhook/alerter/missing#routing_key', '  other: { type: pagerduty, url: http://127.0.0.1:1/pd, routingKey: { vault: webhook/reporter/pagerduty#routing_key } }'));
    const failure = await harness.start().then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/cannot load their secrets from the vault/);
    expect(failure).toMatch(/webhook\/alerter\/missing/);
    expect(failure).toMatch(/webhook\/reporter\/pagerduty/);
    expect(failure).not.toMatch(/not-for-the-alerter|pd-key-v/);
  });
});
