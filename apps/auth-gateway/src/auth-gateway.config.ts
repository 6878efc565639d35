import { baseServiceConfig, env } from '@vigil/config';
import { z } from 'zod';

/** Every audience an access token names: each service checks that its own is there. */
export const TOKEN_AUDIENCES = ['auth-gateway', 'vault', 'compliance-detector', 'alerter', 'audit-writer', 'reporter'] as const;

/**
 * The auth-gateway's environment: the variables every service reads (see @vigil/config), its
 * own port, and its own. VIGIL_AUTH_SEED_KEY_FILE is not required here: without it the gateway
 * still starts (health, metrics, the stack) but every route that needs a TOTP seed or a signing
 * key answers 503 naming the variable, rather than inventing a key that would not survive a restart.
 */
export const authGatewayConfig = baseServiceConfig('auth-gateway', 8080).extend({
  // The services behind /api/<service>/... (their HTTP APIs); the local ports of `npm start` by default.
  VIGIL_UPSTREAM_VAULT_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8101'),
  VIGIL_UPSTREAM_COMPLIANCE_DETECTOR_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8102'),
  VIGIL_UPSTREAM_ALERTER_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8103'),
  VIGIL_UPSTREAM_AUDIT_WRITER_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8104'),
  VIGIL_UPSTREAM_REPORTER_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8105'),
  // Longest wait for an upstream's response headers, and between two chunks of its body: 504 after.
  VIGIL_PROXY_TIMEOUT: env.duration().default(30_000),
  // Token buckets in Redis (shared by every replica): sustained requests per second and burst.
  VIGIL_RATE_PROXY_PRINCIPAL_PER_SEC: env.int({ min: 1, max: 1_000_000 }).default(50),
  VIGIL_RATE_PROXY_PRINCIPAL_BURST: env.int({ min: 1, max: 1_000_000 }).default(100),
  VIGIL_RATE_PROXY_IP_PER_SEC: env.int({ min: 1, max: 1_000_000 }).default(200),
  VIGIL_RATE_PROXY_IP_BURST: env.int({ min: 1, max: 1_000_000 }).default(400),
  VIGIL_RATE_LOGIN_IP_PER_SEC: env.int({ min: 1, max: 1_000_000 }).default(5),
  VIGIL_RATE_LOGIN_IP_BURST: env.int({ min: 1, max: 1_000_000 }).default(30),
  VIGIL_RATE_LOGIN_ACCOUNT_PER_SEC: env.int({ min: 1, max: 1_000_000 }).default(1),
  VIGIL_RATE_LOGIN_ACCOUNT_BURST: env.int({ min: 1, max: 1_000_000 }).default(10),
  VIGIL_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_AUTH_SEED_KEY_FILE: z.string().optional(),
  // TOTP seeds through the vault's transit API (vault) or under the local seed key (local).
  VIGIL_AUTH_TOTP_CIPHER: z.enum(['local', 'vault'], { error: 'local or vault' }).default('local'),
  VIGIL_AUTH_TOTP_TRANSIT_KEY: env.string().default('totp-seeds'),
  VIGIL_VAULT_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8101'),
  VIGIL_AUTH_ACCESS_TOKEN_TTL: env.duration().default(10 * 60_000),
  VIGIL_AUTH_SERVICE_TOKEN_TTL: env.duration().default(5 * 60_000),
  VIGIL_AUTH_REFRESH_TOKEN_TTL: env.duration().default(12 * 3_600_000),
  VIGIL_AUTH_SESSION_TTL: env.duration().default(24 * 3_600_000),
  VIGIL_AUTH_LOCK_THRESHOLD: env.int({ min: 1, max: 1000 }).default(5),
  // Per address: higher than per account, because many people can share one NAT address.
  VIGIL_AUTH_IP_LOCK_THRESHOLD: env.int({ min: 1, max: 10_000 }).default(20),
});

export type AuthGatewayConfig = z.output<typeof authGatewayConfig>;
