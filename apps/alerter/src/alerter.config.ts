import { baseServiceConfig, env } from '@vigil/config';
import type { ServiceVaultAccess } from '@vigil/service';
import { z } from 'zod';

/**
 * The alerter's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default, and its own.
 */
export const alerterConfig = baseServiceConfig('alerter', 8103).extend({
  // How long a new incident waits for more alerts of its group before the first page.
  VIGIL_ALERTER_GROUP_WAIT: env.duration().default(30_000),
  // How often a still-triggered incident is paged again.
  VIGIL_ALERTER_REPEAT_INTERVAL: env.duration().default(4 * 3600_000),
  // Routing, receivers and escalation policies (YAML); default apps/alerter/routing.yaml.
  VIGIL_ALERTER_ROUTING_FILE: z.string().optional(),
  // How often due notifications, escalations and delivery retries are polled.
  VIGIL_ALERTER_POLL_INTERVAL: env.duration().default(500),
  // First retry delay of a delivery (doubling, capped at 5 min) and the attempts before it is given up.
  VIGIL_ALERTER_RETRY_BASE: env.duration().default(1_000),
  VIGIL_ALERTER_MAX_ATTEMPTS: env.int({ min: 1, max: 100 }).default(8),
  VIGIL_ALERTER_RECEIVER_TIMEOUT: env.duration().default(5_000),
  VIGIL_ALERTER_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_ALERTER_AUTH_AUDIENCE: env.string().default('alerter'),
  VIGIL_ALERTER_AUTH_JWKS_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/.well-known/jwks.json'),
  // The services that own the mitigations (lock account, revoke sessions: the gateway; rotate key: the vault).
  VIGIL_ALERTER_GATEWAY_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080'),
  VIGIL_ALERTER_VAULT_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8101'),
  VIGIL_ALERTER_MITIGATION_TIMEOUT: env.duration().default(10_000),
  // The alerter's service account at the gateway: read only when receivers name vault secrets
  // or VIGIL_DATABASE_VAULT_PATH is set.
  VIGIL_ALERTER_CLIENT_ID: env.string().default('svc-alerter'),
  VIGIL_ALERTER_CLIENT_SECRET_FILE: z.string().optional(),
});

export type AlerterConfig = z.output<typeof alerterConfig>;

/** How the alerter reads the vault as svc-alerter (receivers' secrets, its database credential). */
export function alerterVaultAccess(config: AlerterConfig): ServiceVaultAccess {
  return {
    url: config.VIGIL_ALERTER_VAULT_URL,
    tokenUrl: `${config.VIGIL_ALERTER_GATEWAY_URL.replace(/\/+$/, '')}/v1/auth/token`,
    clientId: config.VIGIL_ALERTER_CLIENT_ID,
    clientSecretFile: config.VIGIL_ALERTER_CLIENT_SECRET_FILE,
    settings: { url: 'VIGIL_ALERTER_VAULT_URL', clientSecretFile: 'VIGIL_ALERTER_CLIENT_SECRET_FILE' },
  };
}
