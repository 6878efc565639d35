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
  VIGIL_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_AUTH_SEED_KEY_FILE: z.string().optional(),
  VIGIL_AUTH_ACCESS_TOKEN_TTL: env.duration().default(10 * 60_000),
  VIGIL_AUTH_SERVICE_TOKEN_TTL: env.duration().default(5 * 60_000),
  VIGIL_AUTH_REFRESH_TOKEN_TTL: env.duration().default(12 * 3_600_000),
  VIGIL_AUTH_SESSION_TTL: env.duration().default(24 * 3_600_000),
  VIGIL_AUTH_LOCK_THRESHOLD: env.int({ min: 1, max: 1000 }).default(5),
  // Per address: higher than per account, because many people can share one NAT address.
  VIGIL_AUTH_IP_LOCK_THRESHOLD: env.int({ min: 1, max: 10_000 }).default(20),
});

export type AuthGatewayConfig = z.output<typeof authGatewayConfig>;
