import { auditEventsContract } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PasswordHasher } from '../passwords/password-hasher';
import { checkPassword } from '../passwords/password-policy';
import { migrateAuthSchema } from '../store/auth-db.provider';
import { AuthStore } from '../store/auth.store';

export type BootstrapResult = { created: true; userId: string } | { created: false; reason: 'admin_exists' | 'bad_username' | 'bad_password'; message: string };

const USERNAME = /^[a-z][a-z0-9._-]{1,63}$/;

/**
 * Creates the first admin, only when no user holds `admin` yet (checked and inserted in one
 * locked transaction). The admin has no MFA yet: their first login requires enrolment.
 * There are no default accounts: this is the only way the first one comes to exist.
 */
export async function bootstrapAdmin(pool: Pool, username: string, password: string, hasher = new PasswordHasher()): Promise<BootstrapResult> {
  if (!USERNAME.test(username)) return { created: false, reason: 'bad_username', message: 'username: 2-64 characters, lowercase letters, digits, ".", "_" or "-", starting with a letter' };
  const check = checkPassword(password, username);
  if (!check.ok) return { created: false, reason: 'bad_password', message: check.message ?? 'password: not acceptable' };
  await migrateAuthSchema(pool);
  const store = new AuthStore(pool);
  const userId = randomUUID();
  // Audited like every admin action; it runs without Kafka, so through the outbox the gateway publishes.
  const event = auditEventsContract.parse({
    eventId: randomUUID(),
    ts: new Date().toISOString(),
    service: 'auth-gateway',
    actor: { type: 'system', id: 'bootstrap-admin' },
    action: 'users.bootstrap_admin',
    resource: `user:${userId}`,
    outcome: 'success',
    details: { username, roles: ['admin'] },
  });
  const created = await store.createFirstAdmin({ id: userId, username, passwordHash: await hasher.hash(password) }, event);
  return created ? { created: true, userId } : { created: false, reason: 'admin_exists', message: 'an admin already exists: nothing was changed (further users are created through the admin API)' };
}
