import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE } from './token-verifier';
import type { Principal } from './principal.type';

/** An Ed25519 signing key as the gateway keeps it: the private JWK never leaves it. */
export interface SigningKey {
  kid: string;
  /** OKP/Ed25519 JWK with `d`. */
  privateJwk: JWK;
  /** The same key without `d`, with kid, alg and use: what the JWKS endpoint publishes. */
  publicJwk: JWK;
}

export async function generateSigningKey(kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const meta = { kid, alg: 'EdDSA', use: 'sig' };
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), ...meta }, publicJwk: { ...(await exportJWK(publicKey)), ...meta } };
}

export interface AccessTokenClaims {
  issuer: string;
  audience: string | string[];
  subject: string;
  principalType: Principal['type'];
  roles: readonly string[];
  /** Epoch seconds of the last authentication (password, MFA, or client credentials). */
  authTime: number;
  amr: readonly string[];
  /** Lifetime in seconds. */
  ttlSec: number;
  /** Token id; default a random UUID. */
  jti?: string;
  /** The login session (`sid`) of a user's token: lets the gateway refuse it once the session ends. */
  sessionId?: string;
  /** Epoch milliseconds used as iat/nbf; default now. */
  now?: number;
}

/** Signs a Vigil access token (EdDSA, typ at+jwt, kid of the key). */
export async function issueToken(key: Pick<SigningKey, 'kid' | 'privateJwk'>, claims: AccessTokenClaims): Promise<string> {
  if (!Number.isInteger(claims.ttlSec) || claims.ttlSec <= 0) throw new TypeError(`issueToken ttlSec: must be a positive integer (got ${String(claims.ttlSec)})`);
  const nowSec = Math.floor((claims.now ?? Date.now()) / 1000);
  const privateKey = await importJWK(key.privateJwk, 'EdDSA');
  return new SignJWT({ roles: [...claims.roles], auth_time: claims.authTime, amr: [...claims.amr], principal_type: claims.principalType, ...(claims.sessionId ? { sid: claims.sessionId } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject)
    .setIssuedAt(nowSec)
    .setNotBefore(nowSec)
    .setExpirationTime(nowSec + claims.ttlSec)
    .setJti(claims.jti ?? randomUUID())
    .sign(privateKey);
}
