import { ServiceTokenSource } from '@vigil/auth';
import { createVaultClient, type VaultClient } from '@vigil/vault-client';
import { readFileSync } from 'node:fs';

/**
 * How a service reaches the vault as itself: the vault's URL, and its service account at the
 * gateway (client credentials). Each service maps its own settings onto this (its variables
 * are named in `settings`, so a start-up error tells the operator which one to set).
 */
export interface ServiceVaultAccess {
  /** The vault's base URL; undefined when the service has none configured. */
  url: string | undefined;
  /** The gateway's client-credentials endpoint (…/v1/auth/token). */
  tokenUrl: string;
  clientId: string;
  /** A file holding the client secret, or JSON `{ clientId?, clientSecret }` (as `vigil service-accounts` writes it). */
  clientSecretFile: string | undefined;
  /** The names of the variables behind `url` and `clientSecretFile`, for error messages. */
  settings: { url: string; clientSecretFile: string };
}

/** Where the vault client reports renewal trouble (pino fits); never given a value. */
export interface VaultLogger {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * A vault client that authenticates as the service: its client secret read from the file,
 * exchanged at the gateway for a token (cached; a 401 from the vault fetches a fresh one).
 * `purpose` says why in the errors ("VIGIL_DATABASE_VAULT_PATH db/alerter needs ...").
 */
export function openServiceVault(access: ServiceVaultAccess, purpose: string, logger?: VaultLogger): VaultClient {
  if (!access.url) throw new Error(`${purpose} needs ${access.settings.url}: the vault to read it from`);
  if (!access.clientSecretFile) throw new Error(`${purpose} needs ${access.settings.clientSecretFile}: the service reads the vault with its service account's secret`);
  const credentials = readClientSecret(access.clientSecretFile, access.clientId, access.settings.clientSecretFile);
  const tokens = new ServiceTokenSource({ tokenUrl: access.tokenUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  return createVaultClient({ url: access.url, token: () => tokens.token(), invalidateToken: () => tokens.invalidate(), ...(logger ? { logger } : {}) });
}

/** The client secret file: the secret alone, or JSON `{ clientId?, clientSecret }`. Errors name the variable and file, never the content. */
export function readClientSecret(file: string, clientId: string, setting: string): { clientId: string; clientSecret: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text) throw new Error(`${setting}: ${file} is empty`);
  if (!text.startsWith('{')) return { clientId, clientSecret: text };
  let parsed: { clientId?: unknown; clientSecret?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`${setting}: ${file} starts with "{" but is not JSON`);
  }
  if (typeof parsed.clientSecret !== 'string' || !parsed.clientSecret) throw new Error(`${setting}: ${file} has no "clientSecret"`);
  return { clientId: typeof parsed.clientId === 'string' && parsed.clientId ? parsed.clientId : clientId, clientSecret: parsed.clientSecret };
}
