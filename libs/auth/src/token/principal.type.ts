/** Who is calling, as proven by a verified access token. */
export interface Principal {
  /** `user` for people, `service` for the six services and trading platforms' clients. */
  type: 'user' | 'service';
  /** The token's `sub`: a user id or a service account's client id. */
  id: string;
  /** RBAC roles (the token's `roles`), as issued; unknown ones grant nothing. */
  roles: readonly string[];
  /** When the subject last authenticated (token `auth_time`), in epoch seconds. */
  authTime: number;
  /** How it authenticated (token `amr`, RFC 8176 values such as `pwd`, `otp`, `mfa`). */
  amr: readonly string[];
  /** The token's `jti`, when it has one: lets audit events and revocation name the token. */
  tokenId?: string;
  /** The token's `sid`: the login session a user's token belongs to (the gateway refuses it once the session ends). */
  sessionId?: string;
  /** The token's `exp`, in epoch seconds. */
  expiresAt: number;
}

export const PRINCIPAL_TYPES = ['user', 'service'] as const;
