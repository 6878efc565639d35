/** DI token of the AuditSink every authorization decision is recorded through. */
export const AUDIT_SINK = Symbol('vigil.auth.AuditSink');
/** DI token of the TokenVerifier (createTokenVerifier) the guard uses. */
export const TOKEN_VERIFIER = Symbol('vigil.auth.TokenVerifier');
/** DI token of the compiled RbacPolicy. */
export const RBAC_POLICY = Symbol('vigil.auth.RbacPolicy');
/** DI token of the AuthModuleOptions. */
export const AUTH_MODULE_OPTIONS = Symbol('vigil.auth.AuthModuleOptions');
/** Route metadata key set by @RequirePermission. */
export const PERMISSION_REQUIREMENT = 'vigil:auth:permission';
export { AUTHZ_DECISION_ACTION } from '../audit/decision-event';
