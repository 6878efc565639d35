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
  /** Longest wait between lease renewals, which is when a new version is noticed (default: the vault client's, 5 min). */
  renewIntervalMs?: number;
  logger?: Logger;
}

/**
 * The checkpoint signing key from the vault, read once at start-up with the service's own
 * token (client credentials at the gateway). Any failure — no secret file, the gateway
 * refusing the account, the vault sealed, unreachable, denying or lacking the path or the
 * field, a value that is not a signer key — stops start-up with an error naming the path.
 *
 * A rotation in the vault is followed: the vault client re-reads the secret when its version
 * changes and `onRotate` listeners get the new key (a value that is not a signer key is
 * logged and ignored: the writer keeps signing with the key it has). `close()` releases the lease.
 */
export async function loadCheckpointKeyFromVault(
  options: VaultSigningKeyOptions,
): Promise<{ key: CheckpointKey; onRotate: (listener: (key: CheckpointKey) => void) => void; close: () => Promise<void> }> {
  const where = `vault ${options.vaultUrl} path ${options.path} (field ${options.field})`;
  const credentials = readClientSecret(options.clientSecretFile, options.clientId, 'VIGIL_AUDIT_CLIENT_SECRET_FILE');
  const tokens = new ServiceTokenSource({ tokenUrl: options.tokenUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  const client: VaultClient = createVaultClient({ url: options.vaultUrl, token: () => tokens.token(), ...(options.renewIntervalMs ? { maxRenewIntervalMs: options.renewIntervalMs } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  try {
    const { signing } = await loadSecrets(client, { signing: { path: options.path, fields: [options.field] } });
    const key = checkpointKeyFrom(signing.get(options.field), `the checkpoint signing key at ${where}`);
    const listeners: ((key: CheckpointKey) => void)[] = [];
    signing.onChange(() => {
      let next: CheckpointKey;
      try {
        next = checkpointKeyFrom(signing.get(options.field), `the checkpoint signing key at ${where}`);
      } catch (error) {
        options.logger?.error({ path: options.path, err: error }, 'the checkpoint signing key changed in the vault to something that is not a signer key; still signing with the current key');
        return;
      }
      for (const listener of listeners) listener(next);
    });
    return { key, onRotate: (listener) => listeners.push(listener), close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot load the checkpoint signing key from ${where}: ${(error as Error).message}`);
  }
}
