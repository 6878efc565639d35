import { loadSecrets } from './load-secrets';
import { Secret } from './secret';
import type { VaultClient } from './vault-client';
import { MissingSecretsError, VaultClientError } from './vault-client.errors';

const lease = { id: 'l', expiresAt: new Date(Date.now() + 60_000), renewable: true };

// A fake of our own VaultClient interface: which paths exist and which are denied.
function fakeClient(secrets: Record<string, Record<string, string>>, denied: string[] = []): VaultClient {
  return {
    readSecret: async (path) => {
      if (denied.includes(path)) throw new VaultClientError('denied', `${path}: denied (forbidden): service svc-x may use only the secret paths naming its service`, path, 403, 'forbidden');
      if (!secrets[path]) throw new VaultClientError('not_found', `${path}: not_found: secret ${path} does not exist`, path, 404, 'not_found');
      return new Secret(path, { version: 1, data: secrets[path], lease });
    },
    encrypt: async () => '',
    encryptBatch: async () => [],
    decrypt: async () => Buffer.alloc(0),
    decryptBatch: async () => [],
    close: async () => undefined,
  };
}

describe('loadSecrets', () => {
  it('returns every secret by name', async () => {
    const { db, hook } = await loadSecrets(fakeClient({ 'db/a': { password: 'p' }, 'webhook/a': { token: 't' } }), { db: { path: 'db/a', fields: ['password'] }, hook: 'webhook/a' });
    expect([db.get('password'), hook.get('token')]).toEqual(['p', 't']);
  });

  it('fails with one error naming every missing, denied or incomplete path', async () => {
    const error = await loadSecrets(fakeClient({ 'db/a': { user: 'u' } }, ['db/b']), { db: { path: 'db/a', fields: ['password'] }, other: 'db/b', hook: 'webhook/a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSecretsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot start without 3 secrets: /);
    expect(message).toContain('db/a (db): missing_field: secret db/a v1 has no field "password"');
    expect(message).toContain('db/b (other): denied:');
    expect(message).toContain('webhook/a (hook): not_found: webhook/a: not_found: secret webhook/a does not exist');
  });
});
