import { loadSecrets, type Secret, type VaultClient } from '@vigil/vault-client';
import { Client, type PoolConfig } from 'pg';
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

// SQLSTATE of a refused login: invalid_password, invalid_authorization_specification (no such role, no pg_hba entry).
const REFUSED_LOGIN = new Set(['28P01', '28000']);

/**
 * One connection with the credential at start-up: Postgres refusing it (a wrong password or
 * username in the vault) stops the start with an error naming the path and the username;
 * Postgres being unreachable does not (the service starts and /readyz names it, as without
 * the vault). Answers the problem, or undefined when the login worked or could not be tried.
 */
export async function refusedLogin(settings: PoolConfig, credential: Secret): Promise<string | undefined> {
  const client = new Client({ ...settings, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code || !REFUSED_LOGIN.has(code)) return undefined;
    return `Postgres refused the credential of ${credential.path} v${credential.version} (user ${credential.get('username')}): ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
