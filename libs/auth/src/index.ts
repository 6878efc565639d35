// Token verification (jose, EdDSA allowlist) for every Vigil service.
export { AUTH_ERROR_CODES, AuthError, isAuthError } from './token/auth-error';
export type { AuthErrorCode } from './token/auth-error';
export type { Principal } from './token/principal.type';
export type { KeySource } from './token/key-source';
export { ASYMMETRIC_JWS_ALGORITHMS, createJwsVerifier } from './token/jws-verifier';
export type { JwsAlgorithm, JwsVerifier, JwsVerifierOptions, VerifiedJws } from './token/jws-verifier';
export { ACCESS_TOKEN_TYPE, createTokenVerifier } from './token/token-verifier';
export type { TokenVerifier, TokenVerifierOptions } from './token/token-verifier';
export { generateSigningKey, issueToken } from './token/token-issuer';
export { withVerifiedTokenCache } from './token/verified-token-cache';
export type { CachingTokenVerifier, VerifiedTokenCacheOptions } from './token/verified-token-cache';
export type { AccessTokenClaims, SigningKey } from './token/token-issuer';

// RBAC: the shipped policy, compiled; authorize() is pure.
export { DEFAULT_POLICY_FILE, RbacPolicy } from './rbac/rbac-policy';
export type { AuthzContext, AuthzSubject, Decision, MatchedRule } from './rbac/rbac-policy';
export { PolicyError } from './rbac/policy-error';
export type { PolicyIssue } from './rbac/policy-error';
export { PERMISSION_PATTERN, expandPattern } from './rbac/permission';

// One authorization decision as an audit event, the same at the gateway's edge and in every guard.
export { AUTHZ_DECISION_ACTION, bearerToken, decisionEvent } from './audit/decision-event';
export type { AuthzOutcome, DecisionEventInput } from './audit/decision-event';

// Nest: @RequirePermission + PermissionGuard (verify, authorize, step-up, audit), AuthModule.
export { AuthModule } from './nest/auth.module';
export type { AuthModuleAsyncOptions } from './nest/auth.module';
export type { AuthModuleOptions } from './nest/auth-module.options';
export { AUDIT_SINK, RBAC_POLICY, TOKEN_VERIFIER } from './nest/auth.constants';
export type { AuditSink } from './nest/audit-sink';
export { PermissionGuard } from './nest/permission.guard';
export { RequirePermission } from './nest/require-permission.decorator';
export type { PermissionRequirement } from './nest/require-permission.decorator';
export { CurrentPrincipal, principalOf } from './nest/current-principal.decorator';

// A service's own bearer token: client credentials against the gateway, cached, single flight.
export { ServiceTokenError, ServiceTokenSource } from './client/service-token-source';
export type { ServiceTokenSourceOptions } from './client/service-token-source';
