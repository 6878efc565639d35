import type { Provider } from '@nestjs/common';
import { createTokenVerifier, RbacPolicy } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service';
import type { VaultConfig } from '../vault.config';
import { AccessPolicy } from './access-policy';
import { TokenAccessPolicy } from './token-access-policy';

/** The AccessPolicy: the gateway's tokens (JWKS) and the shipped RBAC policy. The one provider to change when libs/auth's guard takes over. */
export const accessPolicyProvider: Provider = {
  provide: AccessPolicy,
  inject: [SERVICE_CONFIG],
  useFactory: (config: VaultConfig) =>
    new TokenAccessPolicy(
      createTokenVerifier({ issuer: config.VIGIL_VAULT_AUTH_ISSUER, audience: config.VIGIL_VAULT_AUTH_AUDIENCE, keys: { jwksUrl: config.VIGIL_VAULT_AUTH_JWKS_URL } }),
      RbacPolicy.load(),
    ),
};
