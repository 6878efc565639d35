import { ServiceTokenSource } from '@vigil/auth';
import { readClientSecret } from '@vigil/service';
import { createVaultClient, loadSecrets, type Secret, type VaultClient } from '@vigil/vault-client';
import type { Logger } from 'pino';
import type { Routing } from '../routing/routing';
import { parseVaultRef } from './receiver-secrets';

export interface VaultSecretsOptions {
  vaultUrl: string;
  /** The gateway's client-credentials endpoint. */
  tokenUrl: string;
  clientId: string;
  /** A file holding the client secret, or a JSON `{ clientId?, clientSecret }`. */
  clientSecretFile?: string;
  logger?: Logger;
}

export interface VaultSecrets {
  value(path: string, field: string): string;
  close(): Promise<void>;
}

/** Each vault path the routing file's receivers name, with the fields they use. */
export function vaultRefsOf(routing: Routing): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  for (const config of Object.values(routing.config.receivers)) {
    for (const value of Object.values(config)) {
      if (typeof value !== 'object' || value === null || !('vault' in value)) continue;
      const { path, field } = parseVaultRef((value as { vault: string }).vault);
      refs.set(path, (refs.get(path) ?? new Set()).add(field));
    }
  }
  return refs;
}

/**
 * Reads every vault secret the receivers name at start-up, with the alerter's own service
 * token (client credentials at the gateway), all or nothing: a missing path, a missing field,
 * a denied path or an unreachable vault stops start-up with one error naming each path.
 * The client keeps the leases renewed and follows rotations; receivers read the value when
 * they send. Undefined when no receiver names the vault.
 */
export async function loadVaultSecrets(routing: Routing, options: VaultSecretsOptions): Promise<VaultSecrets | undefined> {
  const refs = vaultRefsOf(routing);
  if (refs.size === 0) return undefined;
  const paths = [...refs.keys()].join(', ');
  if (!options.clientSecretFile) {
    throw new Error(`receivers name vault secrets (${paths}) but VIGIL_ALERTER_CLIENT_SECRET_FILE is not set: the alerter needs its service account's secret to read them`);
  }
  const credentials = readClientSecret(options.clientSecretFile, options.clientId, 'VIGIL_ALERTER_CLIENT_SECRET_FILE');
  const tokens = new ServiceTokenSource({ tokenUrl: options.tokenUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  const client: VaultClient = createVaultClient({ url: options.vaultUrl, token: () => tokens.token(), ...(options.logger ? { logger: options.logger } : {}) });
  let secrets: Record<string, Secret>;
  try {
    secrets = await loadSecrets(client, Object.fromEntries([...refs].map(([path, fields]) => [path, { path, fields: [...fields] }])));
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`receivers: cannot load their secrets from the vault at ${options.vaultUrl}: ${(error as Error).message}`);
  }
  return {
    value: (path, field) => {
      const secret = secrets[path];
      if (!secret) throw new Error(`vault secret ${path} was not loaded`);
      return secret.get(field);
    },
    close: () => client.close(),
  };
}
