import { baseServiceConfig, env } from '@vigil/config';
import type { ServiceVaultAccess } from '@vigil/service';
import { z } from 'zod';

/**
 * The reporter's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default, and its own.
 */
export const reporterConfig = baseServiceConfig('reporter', 8105).extend({
  // The vault, and the reporter's service account at the gateway: read only when
  // VIGIL_DATABASE_VAULT_PATH is set (its database credential from the vault).
  VIGIL_REPORTER_VAULT_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8101'),
  VIGIL_REPORTER_GATEWAY_TOKEN_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/v1/auth/token'),
  VIGIL_REPORTER_CLIENT_ID: env.string().default('svc-reporter'),
  VIGIL_REPORTER_CLIENT_SECRET_FILE: z.string().min(1).optional(),
});

export type ReporterConfig = z.output<typeof reporterConfig>;

/** How the reporter reads the vault as svc-reporter. */
export function reporterVaultAccess(config: ReporterConfig): ServiceVaultAccess {
  return {
    url: config.VIGIL_REPORTER_VAULT_URL,
    tokenUrl: config.VIGIL_REPORTER_GATEWAY_TOKEN_URL,
    clientId: config.VIGIL_REPORTER_CLIENT_ID,
    clientSecretFile: config.VIGIL_REPORTER_CLIENT_SECRET_FILE,
    settings: { url: 'VIGIL_REPORTER_VAULT_URL', clientSecretFile: 'VIGIL_REPORTER_CLIENT_SECRET_FILE' },
  };
}
