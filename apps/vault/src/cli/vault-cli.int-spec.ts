import type { RunningService } from '@vigil/service';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createVaultHarness, type VaultHarness, type Who } from '../testing/vault-harness';
import { runVaultCli } from './vault-cli';

// `vigil vault` against the real vault (Postgres, Kafka): the operator's commands, keyring
// rotation (every row re-sealed, old data still readable) and rekeying under a new master key.

const VALUE = `cli-pw-${randomBytes(8).toString('hex')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'vault-cli-'));

let h: VaultHarness;
let vault: RunningService;

beforeAll(async () => {
  h = await createVaultHarness();
  vault = await h.start();
  await h.until('the vault to be ready', async () => ((await fetch(`${vault.url}/readyz`)).status === 200 ? true : undefined));
  h.recorder.start();
});

afterAll(async () => {
  if (vault) await vault.stop('test');
  await h?.close();
});

async function cli(who: Who | undefined, args: string[], stdin = '', url = vault.url): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { VIGIL_VAULT_URL: url, VIGIL_VAULT_TOKEN: who ? await h.token(who) : undefined };
  const code = await runVaultCli(args, { env, out: (t) => (out += t), err: (t) => (err += t), stdin: async () => stdin });
  return { code, out, err };
}

describe('vigil vault', () => {
  it('status, put (argument, file, stdin), list, get (a field; step-up for people), lease revoke', async () => {
    expect(JSON.parse((await cli(undefined, ['status'])).out)).toEqual({ sealed: false, keyringVersion: 1 });
    writeFileSync(path.join(dir, 'user'), 'audit_writer\n');
    expect((await cli('admin', ['put', 'db/audit-writer', 'user=@' + path.join(dir, 'user'), 'password=-'], `${VALUE}\n`)).code).toBe(0);
    expect(JSON.parse((await cli('admin', ['put', 'webhook/alerter/pagerduty', 'token=t-1', '--cas', '0'])).out)).toEqual({ path: 'webhook/alerter/pagerduty', version: 1 });
    const stale = await cli('admin', ['put', 'webhook/alerter/pagerduty', 'token=t-2', '--cas', '0']);
    expect([stale.code, stale.err]).toEqual([1, expect.stringContaining('conflict (cas_mismatch)')]);

    expect(JSON.parse((await cli('admin', ['list'])).out).paths).toEqual([
      { path: 'db/audit-writer', currentVersion: 1 },
      { path: 'webhook/alerter/pagerduty', currentVersion: 1 },
    ]);
    expect(JSON.parse((await cli('alerter', ['list'])).out).paths).toEqual([{ path: 'webhook/alerter/pagerduty', currentVersion: 1 }]);

    expect(await cli('admin', ['get', 'db/audit-writer', '--field', 'password'])).toEqual({ code: 0, out: `${VALUE}\n`, err: '' });
    expect(JSON.parse((await cli('admin', ['get', 'db/audit-writer'])).out)).toEqual({ user: 'audit_writer', password: VALUE });
    const noStepUp = await cli('stale-admin', ['get', 'db/audit-writer']);
    expect(noStepUp).toMatchObject({ code: 1, out: '' });
    expect(noStepUp.err).toContain('denied (step_up_required): reading a secret value needs a fresh MFA check');
    // The CLI gives its lease back after a get.
    const { rows } = await h.pool.query("select count(*)::int as live from vault.leases where path = 'db/audit-writer' and revoked_at is null");
    expect(rows[0].live).toBe(0);

    const lease = (await h.call(vault, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer')).body.lease.id as string;
    expect(JSON.parse((await cli('officer', ['lease', 'revoke', lease])).out)).toEqual({ revoked: [lease] });
    expect((await cli('admin', ['lease'])).code).toBe(2);
    expect((await cli('admin', ['frobnicate'])).err).toContain('unknown command "frobnicate"');
  });

  it('rotate: keyring v2, every secret version and transit key re-sealed under it, old data still reads; transit rotate', async () => {
    await h.call(vault, 'officer', 'POST', '/v1/transit/keys/cli-key');
    const ciphertext = (await h.call(vault, 'gateway', 'POST', '/v1/transit/encrypt/cli-key', { plaintext: Buffer.from('x').toString('base64') })).body.ciphertext;
    // A second replica, unsealed before the rotation: it must load keyring v2 by itself.
    const replica = await h.start();
    await h.until('the replica unsealed', async () => ((await h.call(replica, undefined, 'GET', '/v1/sys/seal-status')).body.sealed === false ? true : undefined));
    const rotated = await cli('officer', ['rotate']);
    expect(JSON.parse(rotated.out)).toEqual({ keyringVersion: 2, resealed: { secretVersions: 2, transitKeys: 1 } });
    const versions = await h.pool.query('select keyring_version from vault.secret_versions union all select keyring_version from vault.transit_key_versions');
    expect(versions.rows.every((r) => r.keyring_version === 2)).toBe(true);
    expect((await h.call(vault, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer')).body.data.password).toBe(VALUE);
    expect((await h.call(vault, 'gateway', 'POST', '/v1/transit/decrypt/cli-key', { ciphertext })).body.plaintext).toBe(Buffer.from('x').toString('base64'));
    try {
      expect((await h.call(replica, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer')).body.data.password).toBe(VALUE);
      expect((await h.call(replica, undefined, 'GET', '/v1/sys/seal-status')).body).toEqual({ sealed: false, keyringVersion: 2 });
    } finally {
      await replica.stop('test');
    }
    await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer', { data: { password: `${VALUE}-2` } });
    expect((await h.pool.query("select keyring_version from vault.secret_versions where path = 'db/audit-writer' and version = 2")).rows[0].keyring_version).toBe(2);
    expect(JSON.parse((await cli('officer', ['rotate', '--transit', 'cli-key'])).out).latestVersion).toBe(2);

    // rewrap all: a file of ciphertexts (a v1 one and a forged one) re-encrypted under v2, line for line.
    const forged = 'vigil:v1:bm90LWEtY2lwaGVydGV4dC1hdC1hbGwtcmVhbGx5';
    writeFileSync(path.join(dir, 'ciphertexts'), `${ciphertext}\n${forged}\n`);
    const rewrapped = await cli('officer', ['rewrap', 'cli-key', '--in', path.join(dir, 'ciphertexts'), '--out', path.join(dir, 'rewrapped')]);
    expect(rewrapped.code).toBe(1);
    expect(rewrapped.err).toContain('rewrapped 1 of 2 ciphertexts under transit key cli-key; kept unchanged:\n  line 2: decryption_failed');
    const lines = readFileSync(path.join(dir, 'rewrapped'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^vigil:v2:/), forged]);
    expect((await h.call(vault, 'gateway', 'POST', '/v1/transit/decrypt/cli-key', { ciphertext: lines[0] })).body).toEqual({ plaintext: Buffer.from('x').toString('base64'), keyVersion: 2 });
    expect((await cli('stale-admin', ['rotate'])).err).toContain('step_up_required');
  });

  it('rekey: the keyring opens only under the new master key; the running vault keeps serving; all audited without key bytes', async () => {
    const newKey = randomBytes(32);
    writeFileSync(path.join(dir, 'new-master'), newKey.toString('base64'));
    const rekeyed = await cli('officer', ['rekey', '--new-key-file', path.join(dir, 'new-master')]);
    expect(rekeyed.code).toBe(0);
    expect(JSON.parse(rekeyed.out)).toEqual({ keyringVersions: 2 });
    expect(rekeyed.err).toContain('Give the vault the new master key now');
    expect((await h.call(vault, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer')).body.data.password).toBe(`${VALUE}-2`);
    // This vault's configured key is now the old one: a rotation needing it is refused, clearly.
    expect((await cli('officer', ['rotate'])).err).toContain('wrong_master_key');

    const withOld = await h.start();
    try {
      expect((await h.call(withOld, undefined, 'GET', '/v1/sys/seal-status')).body).toEqual({ sealed: true, reason: expect.stringContaining('wrong master key') });
    } finally {
      await withOld.stop('test');
    }
    writeFileSync(path.join(dir, 'new-master-file'), newKey);
    const withNew = await h.start({ VIGIL_VAULT_MASTER_KEY: undefined, VIGIL_VAULT_MASTER_KEY_FILE: path.join(dir, 'new-master-file') });
    try {
      await h.until('unsealed under the new key', async () => ((await h.call(withNew, undefined, 'GET', '/v1/sys/seal-status')).body.sealed === false ? true : undefined));
      expect((await h.call(withNew, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer')).body.data.password).toBe(`${VALUE}-2`);
      // The key file is re-read for a rotation: it works again on the vault that has the new key.
      expect(JSON.parse((await cli('officer', ['rotate'], '', withNew.url)).out).keyringVersion).toBe(3);
    } finally {
      await withNew.stop('test');
    }

    const events = await h.recorder.waitFor('the keyring audit events', () => {
      const seen = h.recorder.auditsFor('keyring');
      return seen.filter((e) => e.outcome === 'success').length >= 3 && seen;
    });
    expect(events.filter((e) => e.outcome === 'success').map((e) => e.action)).toEqual(['keyring.rotate', 'keyring.rekey', 'keyring.rotate']);
    expect(events.find((e) => e.action === 'keyring.rotate' && e.outcome === 'failure')?.reason).toContain('no longer opens the keyring');
    const all = [...h.recorder.raw, ...h.logs].join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    for (const needle of [newKey.toString('base64'), h.masterKey, VALUE]) expect(all).not.toContain(needle);
  });
});
