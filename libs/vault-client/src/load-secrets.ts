import type { Secret } from './secret';
import type { VaultClient } from './vault-client';
import { MissingSecretsError, VaultClientError } from './vault-client.errors';

/** A secret a service needs at start-up: its path, and the fields it must have. */
export type SecretSpec = string | { path: string; fields?: readonly string[] };

/**
 * Reads every secret a service needs before it starts, in parallel, and fails fast with
 * one error naming each path it could not get and why (not found, denied, sealed, a
 * missing field) — a service never starts half-configured.
 *
 *   const { db } = await loadSecrets(vault, { db: { path: 'db/audit-writer', fields: ['password'] } });
 */
export async function loadSecrets<K extends string>(client: VaultClient, specs: Record<K, SecretSpec>): Promise<Record<K, Secret>> {
  const entries = Object.entries(specs) as Array<[K, SecretSpec]>;
  const results = await Promise.allSettled(
    entries.map(async ([, spec]) => {
      const { path, fields = [] } = typeof spec === 'string' ? { path: spec } : spec;
      const secret = await client.readSecret(path);
      for (const field of fields) secret.get(field); // throws missing_field naming the path
      return secret;
    }),
  );
  const failures = results.flatMap((result, i) => {
    if (result.status === 'fulfilled') return [];
    const [name, spec] = entries[i];
    const error = result.reason instanceof VaultClientError ? result.reason : new VaultClientError('server_error', String((result.reason as Error)?.message ?? result.reason));
    return [{ name, path: typeof spec === 'string' ? spec : spec.path, error }];
  });
  if (failures.length) throw new MissingSecretsError(failures);
  return Object.fromEntries(entries.map(([name], i) => [name, (results[i] as PromiseFulfilledResult<Secret>).value])) as Record<K, Secret>;
}
