import type { RbacPolicy } from '../rbac/rbac-policy';
import type { TokenVerifier, TokenVerifierOptions } from '../token/token-verifier';
import type { AuditSink } from './audit-sink';

export interface AuthModuleOptions {
  /** The service name written in every audit event (`service`). */
  service: string;
  /** Options for createTokenVerifier, or a verifier already built. */
  verifier: TokenVerifierOptions | TokenVerifier;
  /** The compiled policy, or a policy file path; default the policy shipped with libs/auth. */
  policy?: RbacPolicy | string;
  /** Where decisions are recorded (the Kafka audit producer, later). */
  auditSink: AuditSink;
}
