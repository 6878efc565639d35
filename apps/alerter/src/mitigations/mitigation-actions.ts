/**
 * The mitigations the incident API offers, each owned by another service: which service,
 * which route, and the RBAC permission the caller needs (at the alerter and again at the
 * owning service, which checks the same forwarded token).
 */
export const MITIGATIONS = {
  'lock-account': {
    service: 'auth-gateway',
    permission: 'users:write',
    // Disabling is the gateway's account lock: it also ends every session of the user at once.
    path: (userId: string) => `/v1/admin/users/${encodeURIComponent(userId)}/disable`,
    resource: (userId: string) => `user:${userId}`,
  },
  'revoke-sessions': {
    service: 'auth-gateway',
    permission: 'sessions:revoke',
    path: (userId: string) => `/v1/admin/users/${encodeURIComponent(userId)}/sessions/revoke`,
    resource: (userId: string) => `user:${userId}`,
  },
  'rotate-key': {
    service: 'vault',
    permission: 'keys:rotate',
    path: (key: string) => `/v1/transit/keys/${encodeURIComponent(key)}/rotate`,
    resource: (key: string) => `transit-key:${key}`,
  },
} as const;

export type MitigationName = keyof typeof MITIGATIONS;

/** The gateway's user list (users:read), for a mitigation named by username. */
export const GATEWAY_USERS_PATH = '/v1/admin/users';
export type OwningService = (typeof MITIGATIONS)[MitigationName]['service'];
