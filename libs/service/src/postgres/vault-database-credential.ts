import { loadSecrets, type Secret, type VaultClient } from '@vigil/vault-client';
import type { PoolConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/** The fields a database credential in the vault must have (`vigil vault put db/alerter username=... password=...`). */
export const DATABASE_CREDENTIAL_FIELDS = ['username', 'password'] as const;

/**
 * Reads the database credential at `path` with the service's client, both fields required:
 * a missing path or field, a denial, a sealed or unreachable vault throws MissingSecretsError
 * naming the path and why (never a value). The client keeps the lease renewed and swaps in a
 * rotated version in place.
 */
export async function loadDatabaseCredential(client: VaultClient, path: string): Promise<Secret> {
  const { database } = await loadSecrets(client, { database: { path, fields: DATABASE_CREDENTIAL_FIELDS } });
  return database;
}

/**
 * The pool's settings: host, port, database and options from VIGIL_DATABASE_URL, the username
 * from the credential, and the password as a function — pg calls it for each new connection,
 * so connections opened after a rotation use the new password without a restart (those
 * already open stay; Postgres checks a password only when a connection starts).
 */
export function poolConfigWithCredential(databaseUrl: string, credential: Secret): PoolConfig {
  const fromUrl = parseIntoClientConfig(databaseUrl);
  // Two sources for one password would leave it unclear which is in use.
  if (fromUrl.password) throw new Error(`VIGIL_DATABASE_URL carries a password while VIGIL_DATABASE_VAULT_PATH (${credential.path}) is set: take it out of the URL, the vault gives it`);
  return { ...fromUrl, user: credential.get('username'), password: () => credential.get('password') };
}
