import { AuthError } from './auth-error';
import { createJwsVerifier, type JwsAlgorithm } from './jws-verifier';
import type { KeySource } from './key-source';
import type { Principal } from './principal.type';
import { principalFromClaims } from './token-claims';

/** RFC 9068 media type of JWT access tokens: an ID token or other JWT signed by the same key is not one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface TokenVerifierOptions {
  /** The gateway's issuer id; the token's `iss` must equal it. */
  issuer: string;
  /** This service's audience id; the token's `aud` must contain it. */
  audience: string;
  keys: KeySource;
  /** Allowed signature algorithms; default ['EdDSA']. */
  algorithms?: readonly JwsAlgorithm[];
  /** Clock skew tolerated on exp, nbf and iat; default 5 s, at most 300 s. */
  clockToleranceSec?: number;
  /** The time in epoch milliseconds; tests fix it. Default Date.now. */
  clock?: () => number;
}

export interface TokenVerifier {
  /** The caller behind a compact access token, or an AuthError saying why not. */
  verify(token: string): Promise<Principal>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = nonEmpty(options.issuer, 'issuer');
  const audience = nonEmpty(options.audience, 'audience');
  const clockToleranceSec = options.clockToleranceSec ?? 5;
  if (!Number.isInteger(clockToleranceSec) || clockToleranceSec < 0 || clockToleranceSec > 300) {
    throw new TypeError(`token verifier clockToleranceSec: must be an integer from 0 to 300 (got ${String(clockToleranceSec)})`);
  }
  const clock = options.clock ?? Date.now;
  const jws = createJwsVerifier({ keys: options.keys, algorithms: options.algorithms ?? ['EdDSA'] });

  return {
    async verify(token) {
      const { header, payload } = await jws.verify(token);
      if (typeof header.kid !== 'string' || header.kid === '') throw new AuthError('MALFORMED', 'the protected header has no "kid"; Vigil tokens name their signing key');
      const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
      if (typ !== ACCESS_TOKEN_TYPE) throw new AuthError('MALFORMED', `the protected header typ must be ${ACCESS_TOKEN_TYPE} (got ${JSON.stringify(header.typ ?? null)})`);
      return principalFromClaims(payload, { issuer, audience, clockToleranceSec, nowSec: Math.floor(clock() / 1000) });
    },
  };
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`token verifier ${name}: must be a non-empty string (got ${typeof value})`);
  return value;
}
