import { baseServiceConfig, env } from '@vigil/config';
import { z } from 'zod';
import { DEFAULT_ENCRYPTION_LIMIT, DEFAULT_RESERVATION_BLOCK } from './transit/encryption-counter';

/**
 * The vault's environment: the variables every service reads (see @vigil/config), its own
 * port, and its own. The master key variables are deliberately not validated here: a
 * missing or bad master key seals the vault (503 with the reason) instead of stopping it.
 */
export const vaultConfig = baseServiceConfig('vault', 8101).extend({
  VIGIL_VAULT_MASTER_KEY: z.string().optional(),
  VIGIL_VAULT_MASTER_KEY_FILE: z.string().optional(),
  VIGIL_VAULT_MAX_VERSIONS: env.int({ min: 1, max: 1000 }).default(10),
  VIGIL_VAULT_TRANSIT_ENCRYPTION_LIMIT: env.int({ min: 1, max: 2 ** 32 }).default(DEFAULT_ENCRYPTION_LIMIT),
  VIGIL_VAULT_TRANSIT_COUNTER_BLOCK: env.int({ min: 1, max: 1_000_000 }).default(DEFAULT_RESERVATION_BLOCK),
  // A secret read's lease: renewable by its holder up to the maximum lifetime, revocable by operators.
  VIGIL_VAULT_LEASE_TTL: env.duration().default(3_600_000),
  VIGIL_VAULT_LEASE_MAX_TTL: env.duration().default(86_400_000),
  // The same GCM bound for the keyring keys (secret versions and transit keys they seal); writes past it need a keyring rotation.
  VIGIL_VAULT_KEYRING_ENCRYPTION_LIMIT: env.int({ min: 1, max: 2 ** 32 }).default(DEFAULT_ENCRYPTION_LIMIT),
  VIGIL_VAULT_DENIAL_THRESHOLD: env.int({ min: 1, max: 10_000 }).default(5),
  VIGIL_VAULT_DENIAL_WINDOW: env.duration().default(60_000),
  // Longest an operation waits for Kafka to acknowledge its audit event before failing with 503.
  VIGIL_VAULT_AUDIT_TIMEOUT: env.duration().default(5_000),
  VIGIL_VAULT_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_VAULT_AUTH_AUDIENCE: env.string().default('vault'),
  VIGIL_VAULT_AUTH_JWKS_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/.well-known/jwks.json'),
});

export type VaultConfig = z.output<typeof vaultConfig>;
