import type { Provider } from '@nestjs/common';
import { createTokenVerifier, RbacPolicy, withVerifiedTokenCache } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service';
import type { VaultConfig } from '../vault.config';
import { AccessPolicy } from './access-policy';
import { TokenAccessPolicy } from './token-access-policy';

// A service presents the same token for every call until it renews it: each one is verified
// (Ed25519 through jose, ~0.35 ms) once a minute at most, not on every request. The minute
// bounds how long a signing key withdrawn from the gateway's JWKS is honoured past its
// removal beyond the JWKS cache itself. A cached token still stops at its exp.
const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

/** The AccessPolicy: the gateway's tokens (JWKS) and the shipped RBAC policy. The one provider to change when libs/auth's guard takes over. */
export const accessPolicyProvider: Provider = {
  provide: AccessPolicy,
  inject: [SERVICE_CONFIG],
  useFactory: (config: VaultConfig) =>
    new TokenAccessPolicy(
      withVerifiedTokenCache(
        createTokenVerifier({ issuer: config.VIGIL_VAULT_AUTH_ISSUER, audience: config.VIGIL_VAULT_AUTH_AUDIENCE, keys: { jwksUrl: config.VIGIL_VAULT_AUTH_JWKS_URL } }),
        { maxAgeMs: VERIFIED_TOKEN_MAX_AGE_MS },
      ),
      RbacPolicy.load(),
    ),
};
