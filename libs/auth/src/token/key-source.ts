import { createLocalJWKSet, createRemoteJWKSet, type CryptoKey, type FlattenedJWSInput, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from 'jose';
import { AuthError } from './auth-error';

/**
 * Where a verifier finds the public keys that may sign tokens: a key set it was given
 * (tests; the gateway checking its own tokens), or the gateway's JWKS endpoint, fetched
 * and cached. A token whose `kid` is not in the cached set triggers one refetch (no more
 * often than `cooldownMs`), so a key the gateway just rotated in is picked up without a
 * restart, and an unknown `kid` then fails with UNKNOWN_KEY.
 */
export type KeySource =
  | { jwks: JSONWebKeySet }
  | {
      jwksUrl: string | URL;
      /** How long a fetched key set is trusted before it is fetched again; default 10 minutes. */
      cacheMaxAgeMs?: number;
      /** Least time between two fetches triggered by an unknown kid; default 30 s. */
      cooldownMs?: number;
      /** Fetch timeout; default 5 s. */
      timeoutMs?: number;
    };

/** jose's key lookup, as compactVerify calls it. */
export type KeyLookup = (protectedHeader: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** Builds the key lookup, refusing key sets that could only serve an attack or a leak. */
export function createKeyLookup(source: KeySource): KeyLookup {
  if ('jwks' in source) {
    checkLocalKeySet(source.jwks);
    return translateLookupErrors(createLocalJWKSet(source.jwks));
  }
  const url = parseJwksUrl(source.jwksUrl);
  return translateLookupErrors(
    createRemoteJWKSet(url, {
      cacheMaxAge: source.cacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: source.cooldownMs ?? 30_000,
      timeoutDuration: source.timeoutMs ?? 5_000,
    }),
  );
}

function checkLocalKeySet(jwks: JSONWebKeySet): void {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new TypeError('token verifier keys.jwks: must be a JWK Set with at least one key in "keys"');
  }
  jwks.keys.forEach((key: JWK, index) => {
    // A secret (oct) key in a verifier's set is how HS256-with-the-public-key attacks
    // start; a private member means a signing key was pasted where only public ones belong.
    if (key.kty === 'oct') throw new TypeError(`token verifier keys.jwks.keys[${index}]: symmetric (oct) keys are not accepted; give the issuer's public keys`);
    if ('d' in key) throw new TypeError(`token verifier keys.jwks.keys[${index}]: is a private key (has "d"); give the public key only`);
  });
}

function parseJwksUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`token verifier keys.jwksUrl: not a URL (got ${typeof value === 'string' ? JSON.stringify(value) : 'a non-string'})`);
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TypeError(`token verifier keys.jwksUrl: must be https (plain http only on loopback); got ${url.protocol}//${url.host}`);
  }
  return url;
}

// An unknown kid is the caller's problem (401); a key set we cannot fetch is ours (503).
function translateLookupErrors(lookup: KeyLookup): KeyLookup {
  return async (protectedHeader, token) => {
    try {
      return await lookup(protectedHeader, token);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
        throw new AuthError('UNKNOWN_KEY', `no signing key matches kid ${JSON.stringify(protectedHeader.kid ?? null)}; the token was not issued by a current key`, { cause: error });
      }
      throw new AuthError('KEYS_UNAVAILABLE', `the signing keys could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  };
}
