import type { RunningService } from '@vigil/service';
import { createVaultHarness, type VaultHarness } from '../testing/vault-harness';

// The keyring keys' own encryption budget (GCM random nonces), on the real vault: past the
// limit writes answer 409 rotation_required until the keyring is rotated.

let h: VaultHarness;
let vault: RunningService;

beforeAll(async () => {
  h = await createVaultHarness({ VIGIL_VAULT_KEYRING_ENCRYPTION_LIMIT: '5', VIGIL_VAULT_MAX_VERSIONS: '1' });
  vault = await h.start();
  await h.until('the vault to be ready', async () => ((await fetch(`${vault.url}/readyz`)).status === 200 ? true : undefined));
});

afterAll(async () => {
  if (vault) await vault.stop('test');
  await h?.close();
});

describe('keyring encryption limit', () => {
  it('refuses the write past the limit, names the remedy, and writes again after a keyring rotation', async () => {
    const put = (n: number) => h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/alerter', { data: { password: `p${n}` } });
    for (let n = 1; n <= 5; n++) expect((await put(n)).status).toBe(200);
    const refused = await put(6);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'rotation_required', keyringVersion: 1, limit: 5, message: expect.stringContaining('rotate the keyring (npx vigil vault rotate)') });
    expect((await h.call(vault, 'officer', 'POST', '/v1/transit/keys/limited')).body.error).toBe('rotation_required');
    expect((await h.call(vault, 'audit-writer', 'GET', '/v1/secrets/data/db/alerter')).status).toBe(403); // reads are not limited; this one is another service's path
    expect((await h.call(vault, 'admin', 'GET', '/v1/secrets/data/db/alerter')).body.data).toEqual({ password: 'p5' });

    expect((await h.call(vault, 'officer', 'POST', '/v1/sys/keyring/rotate')).body).toEqual({ keyringVersion: 2, resealed: { secretVersions: 1, transitKeys: 0 } });
    expect((await put(6)).body).toEqual({ path: 'db/alerter', version: 6 });
    const { rows } = await h.pool.query('select version, encryptions_reserved from vault.keyring order by version');
    expect(rows.map((r) => [r.version, Number(r.encryptions_reserved)])).toEqual([[1, 5], [2, 5]]); // v2: 1 re-sealed + a block of 4 (limit 5) reserved
  });
});
