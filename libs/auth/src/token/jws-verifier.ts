import { compactVerify, type CompactJWSHeaderParameters } from 'jose';
import { AuthError } from './auth-error';
import { createKeyLookup, type KeySource } from './key-source';

/**
 * Asymmetric signature algorithms a verifier may allow. Symmetric ones (HS*) are not
 * representable: a verifier holds public keys, and an HMAC "signed" with a public key is
 * the classic algorithm-confusion forgery. `none` is not representable either.
 */
export const ASYMMETRIC_JWS_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type JwsAlgorithm = (typeof ASYMMETRIC_JWS_ALGORITHMS)[number];

export interface JwsVerifierOptions {
  keys: KeySource;
  /** Allowed `alg` values; Vigil's tokens use ['EdDSA']. */
  algorithms: readonly JwsAlgorithm[];
}

export interface VerifiedJws {
  header: CompactJWSHeaderParameters;
  payload: Uint8Array;
}

/** The signature layer, shared by every token check and by the RFC vector tests. */
export interface JwsVerifier {
  verify(compact: string): Promise<VerifiedJws>;
}

// Far above any token we issue (~600 bytes); bounds the work an attacker can cause.
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export function createJwsVerifier(options: JwsVerifierOptions): JwsVerifier {
  const algorithms = checkAlgorithms(options.algorithms);
  const lookup = createKeyLookup(options.keys);
  return {
    async verify(compact) {
      if (typeof compact !== 'string' || compact.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(compact)) {
        throw new AuthError('MALFORMED', `not a compact JWS (three base64url parts, at most ${MAX_TOKEN_LENGTH} characters)`);
      }
      // Refused before any key lookup: `none`, HS256 and anything else not allowed.
      const alg = protectedAlg(compact);
      if (!algorithms.has(alg)) {
        throw new AuthError('ALG_NOT_ALLOWED', `alg ${JSON.stringify(alg)} is not allowed; allowed: ${[...algorithms].join(', ')}`);
      }
      try {
        const { protectedHeader, payload } = await compactVerify(compact, lookup, { algorithms: [...algorithms] });
        return { header: protectedHeader, payload };
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

function checkAlgorithms(algorithms: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('token verifier algorithms: give a non-empty allowlist, e.g. ["EdDSA"]');
  }
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_JWS_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new TypeError(`token verifier algorithms: ${JSON.stringify(alg)} is not an asymmetric JWS algorithm (allowed values: ${ASYMMETRIC_JWS_ALGORITHMS.join(', ')})`);
    }
  }
  return new Set(algorithms);
}

function protectedAlg(compact: string): string {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(compact.slice(0, compact.indexOf('.')), 'base64url').toString('utf8'));
  } catch {
    throw new AuthError('MALFORMED', 'the protected header is not base64url-encoded JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new AuthError('MALFORMED', 'the protected header is not a JSON object');
  const alg = (header as { alg?: unknown }).alg;
  if (typeof alg !== 'string') throw new AuthError('MALFORMED', 'the protected header has no string "alg"');
  return alg;
}

function translate(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError('ALG_NOT_ALLOWED', 'alg is not allowed', { cause: error });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError('BAD_SIGNATURE', 'signature verification failed: the token was altered or not signed by this key', { cause: error });
    default:
      return new AuthError('MALFORMED', `the JWS was refused before its signature could be checked: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
