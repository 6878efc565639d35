import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { PasswordHasher } from '../passwords/password-hasher';
import { migrateAuthSchema } from '../store/auth-db.provider';
import { AuthStore } from '../store/auth.store';

/** The six services; each authenticates as `svc-<service>` with the role of the same name. */
export const VIGIL_SERVICES = ['auth-gateway', 'vault', 'compliance-detector', 'alerter', 'audit-writer', 'reporter'] as const;

export interface ServiceAccountOutcome {
  service: string;
  clientId: string;
  roles: string[];
  /** created: new account; rotated: new secret for an existing one; kept: exists, secret unknown here. */
  status: 'created' | 'rotated' | 'kept';
  /** Only for created and rotated: shown this once, stored as Argon2id. */
  clientSecret?: string;
}

/**
 * One service account per service with its service role from the policy. An existing account
 * keeps its secret (it cannot be read back) unless `rotate` names it (or `all`): then it gets
 * a new one, and tokens issued with the old one live out their few minutes.
 */
export async function ensureServiceAccounts(pool: Pool, { rotate = [] as readonly string[] } = {}, hasher = new PasswordHasher()): Promise<ServiceAccountOutcome[]> {
  await migrateAuthSchema(pool);
  const store = new AuthStore(pool);
  const outcomes: ServiceAccountOutcome[] = [];
  for (const service of VIGIL_SERVICES) {
    const clientId = `svc-${service}`;
    const roles = [clientId];
    const existing = await store.findServiceAccount(clientId);
    if (existing && !(rotate.includes(service) || rotate.includes('all'))) {
      outcomes.push({ service, clientId, roles: existing.roles, status: 'kept' });
      continue;
    }
    const clientSecret = randomBytes(32).toString('base64url');
    const secretHash = await hasher.hash(clientSecret);
    if (existing) await store.setServiceAccountSecret(clientId, secretHash);
    else await store.createServiceAccount({ clientId, secretHash, roles });
    outcomes.push({ service, clientId, roles: existing?.roles ?? roles, status: existing ? 'rotated' : 'created', clientSecret });
  }
  return outcomes;
}
