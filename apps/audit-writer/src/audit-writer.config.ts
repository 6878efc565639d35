import { baseServiceConfig, env } from '@vigil/config';
import type { ServiceVaultAccess } from '@vigil/service';
import { parseVerifierKey } from '@vigil/merkle';
import { z } from 'zod';
import { DEFAULT_ORIGIN_PREFIX } from './log/log-id';

/**
 * The audit-writer's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default, and its own (README.md "Environment").
 */
export const auditWriterConfig = baseServiceConfig('audit-writer', 8104).extend({
  // The C2SP signer key string (PRIVATE+KEY+...) that signs every checkpoint: from the vault when
  // VIGIL_VAULT_URL is set, else from this file (one of the two is required; checked at start-up).
  VIGIL_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  VIGIL_VAULT_URL: env.url({ protocols: ['http', 'https'] }).optional(),
  VIGIL_AUDIT_SIGNING_KEY_VAULT_PATH: env.string().default('signing/audit-writer'),
  VIGIL_AUDIT_SIGNING_KEY_VAULT_FIELD: env.string().default('privateKey'),
  // Verifier keys (name+id+base64, comma-separated) of signing keys this writer's logs were signed
  // with before a key change that came with a restart: a log whose latest checkpoint one of them
  // signed may be extended. Public keys, not secrets. A rotation the running writer follows from
  // the vault needs none (it hands each log over in its next checkpoint).
  VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((key) => key.trim()).filter((key) => key.length > 0))
    .superRefine((keys, ctx) =>
      keys.forEach((key, i) => {
        try {
          parseVerifierKey(key);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `key ${i + 1} is not a verifier key (<name>+<key id>+<base64>): ${(error as Error).message}` });
        }
      }),
    ),
  // Its service account at the gateway (client credentials), for the vault token.
  VIGIL_AUDIT_GATEWAY_TOKEN_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/v1/auth/token'),
  VIGIL_AUDIT_CLIENT_ID: env.string().default('svc-audit-writer'),
  VIGIL_AUDIT_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  VIGIL_AUDIT_ORIGIN_PREFIX: env.string().default(DEFAULT_ORIGIN_PREFIX),
  // Batch transactions run as this role (SET LOCAL ROLE), which can only append; empty: the connection's user.
  VIGIL_AUDIT_DB_ROLE: z.string().regex(/^([a-z_][a-z0-9_]{0,62})?$/, 'a lower-case SQL role name, or empty for the connection user').default('vigil_audit_writer'),
  // Large by default: a batch costs a transaction, a signature and a Kafka commit whatever its size
  // (bench/audit-writer.ts); the runner fetches up to four batches ahead.
  VIGIL_AUDIT_MAX_BATCH_MESSAGES: env.int({ min: 1, max: 100_000 }).default(5000),
  VIGIL_AUDIT_MAX_BATCH_BYTES: env.int({ min: 1024, max: 256 * 1024 * 1024 }).default(16 * 1024 * 1024),
  // How long a fetch waits for records before a smaller batch goes ahead: the time bound of a batch.
  VIGIL_AUDIT_MAX_WAIT: env.duration().default(500),
  // The gateway's access tokens: who issues them, for whom, where its public keys are.
  VIGIL_AUDIT_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_AUDIT_AUTH_AUDIENCE: env.string().default('audit-writer'),
  VIGIL_AUDIT_AUTH_JWKS_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/.well-known/jwks.json'),
  // How often a global leaf and checkpoint over all partition logs' heads is made ('0ms' turns it off).
  VIGIL_AUDIT_GLOBAL_CHECKPOINT_INTERVAL: env.duration().default(60_000),
  // How often the service re-verifies its logs (incrementally, from where the last round stopped; '0ms' turns it off).
  VIGIL_AUDIT_VERIFY_INTERVAL: env.duration().default(300_000),
  // Every how many rounds one verifies from entry 0 again, catching changes to entries verified before (0: only the first round).
  VIGIL_AUDIT_FULL_VERIFY_EVERY: env.int({ min: 0, max: 1_000_000 }).default(12),
});

export type AuditWriterConfig = z.output<typeof auditWriterConfig>;

/**
 * How the writer reads the vault as svc-audit-writer: its signing key (whenever VIGIL_VAULT_URL
 * is set) and its database credential (when VIGIL_DATABASE_VAULT_PATH is also set).
 */
export function auditWriterVaultAccess(config: AuditWriterConfig): ServiceVaultAccess {
  return {
    url: config.VIGIL_VAULT_URL,
    tokenUrl: config.VIGIL_AUDIT_GATEWAY_TOKEN_URL,
    clientId: config.VIGIL_AUDIT_CLIENT_ID,
    clientSecretFile: config.VIGIL_AUDIT_CLIENT_SECRET_FILE,
    settings: { url: 'VIGIL_VAULT_URL', clientSecretFile: 'VIGIL_AUDIT_CLIENT_SECRET_FILE' },
  };
}
