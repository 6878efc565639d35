import { loadConfig } from '@vigil/config';
import { SecurityEventRecorder } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { infraEnv, type PasswordPostgres, postgresBinDir, registerSecretForLeakScan, serviceEnv, startPasswordPostgres, testPrefix } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alerterConfig } from './alerter.config';
import { AppModule } from './app.module';
import { until } from './test-support/alerter-harness';
import { http, PeerServices, type Session } from './test-support/peer-services';

// The alerter's database username and password from the REAL vault (VIGIL_DATABASE_VAULT_PATH),
// read as svc-alerter (client credentials at the REAL gateway), against a Postgres cluster of
// the test's own that asks for a password (scram-sha-256): the shared one trusts local
// connections, so it would accept any password. A rotation (ALTER ROLE + a new version in
// the vault) reaches new connections without a restart.

const hasInitdb = postgresBinDir() !== undefined;
if (!hasInitdb) console.warn('database-credential.int-spec skipped: no initdb under /usr/lib/postgresql/<version>/bin (a password-authenticated cluster of its own is needed)');
const describeWithInitdb = hasInitdb ? describe : describe.skip;

const ROLE = 'alerter_app';
const passwords = {
  v1: registerSecretForLeakScan(`pw-one-${randomBytes(9).toString('hex')}`, 'alerter database password v1'),
  v2: registerSecretForLeakScan(`pw-two-${randomBytes(9).toString('hex')}`, 'alerter database password v2'),
};
const dir = mkdtempSync(path.join(tmpdir(), 'alerter-dbvault-'));
const prefix = testPrefix();
const logs: string[] = [];
let pg: PasswordPostgres;
let peers: PeerServices;
let admin: Session;
let recorder: SecurityEventRecorder;
let alerter: RunningService | undefined;

const writeSecret = async (secretPath: string, data: Record<string, string>) => {
  const res = await http(peers.vault.url, 'PUT', `/v1/secrets/data/${secretPath}`, { data }, admin.accessToken);
  if (res.status !== 200) throw new Error(`write ${secretPath}: ${res.status} ${JSON.stringify(res.body)}`);
};

/** The alerter as its main starts it; its database URL names no user and no password. */
const startAlerter = (env: Record<string, string> = {}) =>
  startService({
    name: 'alerter',
    module: AppModule,
    config: loadConfig(alerterConfig, {
      ...process.env,
      ...serviceEnv(infraEnv(), prefix),
      VIGIL_DATABASE_URL: `postgres://127.0.0.1:${pg.port}/vigil`,
      VIGIL_DATABASE_VAULT_PATH: 'db/alerter',
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_ALERTER_ROUTING_FILE: path.join(dir, 'routing.yaml'),
      VIGIL_ALERTER_AUTH_JWKS_URL: peers.jwksUrl,
      VIGIL_ALERTER_GATEWAY_URL: peers.gateway.url,
      VIGIL_ALERTER_VAULT_URL: peers.vault.url,
      VIGIL_ALERTER_CLIENT_SECRET_FILE: path.join(dir, 'svc-alerter.json'),
      ...env,
    }),
    logger: createLogger('alerter', 'debug', { write: (line: string) => void logs.push(line) }),
  });

const readiness = async (service: RunningService) => {
  const res = await fetch(`${service.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, { status: string; error?: string }> } };
};
/** The alerter's own sessions in its database, as the superuser sees them. */
const alerterSessions = () => pg.query<{ pid: number; usename: string; backend_start: Date }>(`select pid, usename, backend_start from pg_stat_activity where application_name = 'alerter' and datname = 'vigil'`);

describeWithInitdb('the alerter’s database credential from the vault', () => {
  beforeAll(async () => {
    process.env.ALERTER_DBVAULT_HOOK_SECRET = 'hook-secret';
    writeFileSync(path.join(dir, 'routing.yaml'), `receivers:\n  hook: { type: webhook, url: http://127.0.0.1:9/hook, secret: { env: ALERTER_DBVAULT_HOOK_SECRET } }\ndefaultReceivers: [hook]\n`);
    pg = await startPasswordPostgres();
    await pg.query(`create role ${ROLE} login password '${passwords.v1}'`);
    await pg.query(`create database vigil owner ${ROLE}`);
    // A short lease: the client renews at 2/3 of it, and the renewal answers the current version.
    peers = new PeerServices(prefix, { VIGIL_VAULT_LEASE_TTL: '2s' });
    const infra = infraEnv();
    recorder = new SecurityEventRecorder({ brokers: infra.kafkaBrokers, topicPrefix: prefix, registryUrl: infra.registryUrl, clientId: 'alerter-dbvault-test' }).start();
    await peers.start();
    admin = await peers.adminSession();
    const account = await http(peers.gateway.url, 'POST', '/v1/admin/service-accounts', { clientId: 'svc-alerter', roles: ['svc-alerter'] }, admin.accessToken);
    expect(account.status).toBe(201);
    writeFileSync(path.join(dir, 'svc-alerter.json'), JSON.stringify({ clientId: 'svc-alerter', clientSecret: account.body.clientSecret }), { mode: 0o600 });
    await writeSecret('db/alerter', { username: ROLE, password: passwords.v1 });
  }, 90_000);

  afterAll(async () => {
    await alerter?.stop('test');
    await recorder?.stop();
    await peers?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.ALERTER_DBVAULT_HOOK_SECRET;
  });

  it('connects with the vault’s credential, follows a rotation without a restart, and never logs the password', async () => {
    alerter = await startAlerter();
    const service = alerter;
    await until('the alerter to be ready (migrated over the vault credential)', async () => ((await readiness(service)).status === 200 ? true : undefined));
    expect((await http(service.url, 'GET', '/api/incidents', undefined, admin.accessToken)).status).toBe(200);
    const before = await alerterSessions();
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before.map((s) => s.usename))).toEqual(new Set([ROLE]));

    // Rotate in Postgres first, and end the alerter's sessions: a connection opened with the old password is refused...
    await pg.query(`alter role ${ROLE} password '${passwords.v2}'`);
    const rotatedAt = new Date();
    await pg.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'alerter' and datname = 'vigil'`);
    const refused = await until('a refused login with the old password', async () => {
      const ready = await readiness(service);
      return ready.status === 503 && /password authentication failed/.test(ready.body.checks.postgres?.error ?? '') ? ready : undefined;
    });
    expect(refused.body.checks.postgres?.error).toMatch(new RegExp(`password authentication failed for user "${ROLE}"`));

    // ...then the new version in the vault: the lease renewal brings it, and new connections use it.
    await writeSecret('db/alerter', { username: ROLE, password: passwords.v2 });
    await until('the alerter to answer again with the rotated password', async () => ((await readiness(service)).status === 200 ? true : undefined));
    expect((await http(service.url, 'GET', '/api/incidents', undefined, admin.accessToken)).status).toBe(200);
    const after = await alerterSessions();
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.usename === ROLE && s.backend_start >= rotatedAt)).toBe(true);
    expect(alerter).toBe(service); // the same process and app: no restart
    expect(logs.some((line) => line.includes('database credential rotated'))).toBe(true);

    // The vault audited the reads (start-up and after the rotation) as the alerter's service account.
    const reads = await recorder.waitFor('the vault audit of the alerter’s reads of db/alerter', () => {
      const found = recorder.audits.filter((e) => e.service === 'vault' && e.actor.id === 'svc-alerter' && e.resource.includes('db/alerter') && e.outcome === 'success');
      return found.length >= 2 && found;
    });
    expect(reads.every((e) => e.actor.type === 'service')).toBe(true);

    const everything = [...logs, ...recorder.raw].join('\n');
    expect(everything).not.toContain(passwords.v1);
    expect(everything).not.toContain(passwords.v2);
  });

  it('refuses to start naming the path: a missing field, another service’s path, a password Postgres refuses', async () => {
    await alerter?.stop('test');
    alerter = undefined;
    const failure = (env?: Record<string, string>) =>
      startAlerter(env).then(
        async (s) => {
          await s.stop('test');
          return 'started';
        },
        (error: Error) => error.message,
      );

    await writeSecret('db/reporter', { username: 'reporter_app', password: 'not-for-the-alerter' });
    const foreign = await failure({ VIGIL_DATABASE_VAULT_PATH: 'db/reporter' });
    expect(foreign).toMatch(/^VIGIL_DATABASE_VAULT_PATH db\/reporter: cannot read the database credential: .*db\/reporter \(database\): denied/);

    await writeSecret('db/alerter', { username: ROLE });
    expect(await failure()).toMatch(/^VIGIL_DATABASE_VAULT_PATH db\/alerter: cannot read the database credential: .*db\/alerter \(database\): missing_field: secret db\/alerter v3 has no field "password"/);

    const wrong = registerSecretForLeakScan(`pw-wrong-${randomBytes(6).toString('hex')}`, 'alerter database password (wrong)');
    await writeSecret('db/alerter', { username: ROLE, password: wrong });
    const refused = await failure();
    expect(refused).toBe(`VIGIL_DATABASE_VAULT_PATH db/alerter: Postgres refused the credential of db/alerter v4 (user ${ROLE}): password authentication failed for user "${ROLE}"`);

    const everything = [foreign, refused, ...logs].join('\n');
    for (const value of [wrong, passwords.v2, 'not-for-the-alerter']) expect(everything).not.toContain(value);
  });
});
