import { ServiceTokenSource } from '@vigil/auth';
import { readClientSecret } from '@vigil/service';
import { createVaultClient, loadSecrets, type VaultClient } from '@vigil/vault-client';
import type { Logger } from 'pino';
import { checkpointKeyFrom, type CheckpointKey } from './signing-key';

export interface VaultSigningKeyOptions {
  vaultUrl: string;
  /** Secret path and field holding the C2SP signer key string (`PRIVATE+KEY+...`). */
  path: string;
  field: string;
  /** The gateway's client-credentials endpoint, and this service's account there. */
  tokenUrl: string;
  clientId: string;
  /** A file holding the client secret, or JSON `{ clientId?, clientSecret }`. */
  clientSecretFile: string;
  logger?: Logger;
}

/**
 * The checkpoint signing key from the vault, read once at start-up with the service's own
 * token (client credentials at the gateway). Any failure — no secret file, the gateway
 * refusing the account, the vault sealed, unreachable, denying or lacking the path or the
 * field, a value that is not a signer key — stops start-up with an error naming the path.
 *
 * A rotation in the vault is not followed: the writer checks each log's latest checkpoint
 * against its own key before extending the log, so a new key must come with a restart (and a
 * new verifier key for auditors); the change is logged. `close()` releases the lease.
 */
export async function loadCheckpointKeyFromVault(options: VaultSigningKeyOptions): Promise<{ key: CheckpointKey; close: () => Promise<void> }> {
  const where = `vault ${options.vaultUrl} path ${options.path} (field ${options.field})`;
  const credentials = readClientSecret(options.clientSecretFile, options.clientId, 'VIGIL_AUDIT_CLIENT_SECRET_FILE');
  const tokens = new ServiceTokenSource({ tokenUrl: options.tokenUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  const client: VaultClient = createVaultClient({ url: options.vaultUrl, token: () => tokens.token(), ...(options.logger ? { logger: options.logger } : {}) });
  try {
    const { signing } = await loadSecrets(client, { signing: { path: options.path, fields: [options.field] } });
    const key = checkpointKeyFrom(signing.get(options.field), `the checkpoint signing key at ${where}`);
    signing.onChange(() =>
      options.logger?.warn({ path: options.path }, 'the checkpoint signing key changed in the vault; this writer keeps signing with the key it started with until it is restarted'),
    );
    return { key, close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot load the checkpoint signing key from ${where}: ${(error as Error).message}`);
  }
}
