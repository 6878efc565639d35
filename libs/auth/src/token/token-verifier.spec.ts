import { base64url, SignJWT, importJWK, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import { AuthError } from './auth-error';
import { generateSigningKey, issueToken, type AccessTokenClaims, type SigningKey } from './token-issuer';
import { createTokenVerifier, type TokenVerifierOptions } from './token-verifier';

const NOW = Date.parse('2026-03-02T14:30:00Z');
const NOW_SEC = NOW / 1000;
const ISSUER = 'https://auth.vigil.test';
const AUDIENCE = 'vault';

let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  key = await generateSigningKey('key-2026-03');
  otherKey = await generateSigningKey('key-attacker');
});

const verifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { jwks: { keys: [key.publicJwk] } }, clockToleranceSec: 5, clock: () => NOW, ...overrides });

const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  issuer: ISSUER,
  audience: [AUDIENCE, 'alerter'],
  subject: 'alice',
  principalType: 'user',
  roles: ['security-officer'],
  authTime: NOW_SEC - 60,
  amr: ['pwd', 'otp', 'mfa'],
  ttlSec: 300,
  jti: 'tok-1',
  now: NOW - 10_000,
  ...overrides,
});

/** Signs arbitrary header and claims with an Ed25519 key, for tokens issueToken would never make. */
async function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, signer = key): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(await importJWK(signer.privateJwk, 'EdDSA'));
}

const validPayload = () => ({
  iss: ISSUER, aud: AUDIENCE, sub: 'alice', principal_type: 'user', roles: ['auditor'], auth_time: NOW_SEC - 60,
  amr: ['pwd', 'otp'], iat: NOW_SEC - 10, nbf: NOW_SEC - 10, exp: NOW_SEC + 290,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
  throw new Error('the token was accepted');
}

describe('createTokenVerifier', () => {
  it('turns a valid token into its Principal', async () => {
    await expect(verifier().verify(await issueToken(key, claims()))).resolves.toEqual({
      type: 'user', id: 'alice', roles: ['security-officer'], authTime: NOW_SEC - 60, amr: ['pwd', 'otp', 'mfa'], tokenId: 'tok-1', expiresAt: NOW_SEC - 10 + 300,
    });
  });

  it('accepts a service token and a token whose aud is a single string', async () => {
    const token = await issueToken(key, claims({ principalType: 'service', subject: 'svc-alerter', audience: AUDIENCE, roles: ['svc-alerter'], amr: [] }));
    await expect(verifier().verify(token)).resolves.toMatchObject({ type: 'service', id: 'svc-alerter', roles: ['svc-alerter'], amr: [] });
  });

  it('finds the key by kid among several (rotation: active and previous key both verify)', async () => {
    const both = verifier({ keys: { jwks: { keys: [otherKey.publicJwk, key.publicJwk] } } });
    await expect(both.verify(await issueToken(key, claims()))).resolves.toMatchObject({ id: 'alice' });
    await expect(both.verify(await issueToken(otherKey, claims()))).resolves.toMatchObject({ id: 'alice' });
  });

  it('tolerates the configured clock skew and no more', async () => {
    const expiredBy3 = await issueToken(key, claims({ now: NOW - 303_000 }));
    await expect(verifier().verify(expiredBy3)).resolves.toBeDefined();
    expect(await codeOf(verifier({ clockToleranceSec: 0 }).verify(expiredBy3))).toBe('TOKEN_EXPIRED');
  });
});

describe('attacks that must fail', () => {
  it('alg none, unsigned (even with valid claims and kid)', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: key.kid, typ: 'at+jwt' }));
    const body = base64url.encode(JSON.stringify(validPayload()));
    expect(await codeOf(verifier().verify(`${header}.${body}.`))).toBe('ALG_NOT_ALLOWED');
    expect(await codeOf(verifier().verify(`${header}.${body}`))).toBe('MALFORMED');
  });

  it.each([
    ['the raw 32 public key bytes', (jwk: JWK) => Buffer.from(String(jwk.x), 'base64url')],
    ['the base64url x value', (jwk: JWK) => Buffer.from(String(jwk.x))],
    ['the public JWK as JSON', (jwk: JWK) => Buffer.from(JSON.stringify(jwk))],
  ])('HS256 signed with %s (algorithm confusion)', async (_what, secretOf) => {
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' }));
    const body = base64url.encode(JSON.stringify(validPayload()));
    const mac = createHmac('sha256', secretOf(key.publicJwk)).update(`${header}.${body}`).digest('base64url');
    expect(await codeOf(verifier().verify(`${header}.${body}.${mac}`))).toBe('ALG_NOT_ALLOWED');
  });

  it('expired', async () => {
    expect(await codeOf(verifier().verify(await issueToken(key, claims({ now: NOW - 600_000 }))))).toBe('TOKEN_EXPIRED');
  });

  it('not yet valid (nbf in the future)', async () => {
    expect(await codeOf(verifier().verify(await issueToken(key, claims({ now: NOW + 60_000 }))))).toBe('TOKEN_NOT_YET_VALID');
    expect(await codeOf(verifier().verify(await signRaw({ kid: key.kid, typ: 'at+jwt' }, { ...validPayload(), iat: NOW_SEC - 10, nbf: NOW_SEC + 60 })))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('wrong audience', async () => {
    expect(await codeOf(verifier().verify(await issueToken(key, claims({ audience: ['reporter', 'alerter'] }))))).toBe('WRONG_AUDIENCE');
  });

  it('wrong issuer', async () => {
    expect(await codeOf(verifier().verify(await issueToken(key, claims({ issuer: 'https://evil.example' }))))).toBe('WRONG_ISSUER');
  });

  it('unknown kid, and a known kid on a token signed by another key', async () => {
    expect(await codeOf(verifier().verify(await issueToken(otherKey, claims())))).toBe('UNKNOWN_KEY');
    expect(await codeOf(verifier().verify(await issueToken({ kid: key.kid, privateJwk: otherKey.privateJwk }, claims())))).toBe('BAD_SIGNATURE');
  });

  it('tampered payload (roles raised to admin, signature kept)', async () => {
    const [header, , signature] = (await issueToken(key, claims())).split('.');
    const forged = base64url.encode(JSON.stringify({ ...validPayload(), roles: ['admin'] }));
    expect(await codeOf(verifier().verify(`${header}.${forged}.${signature}`))).toBe('BAD_SIGNATURE');
  });

  it('tampered signature (one bit flipped, and truncated)', async () => {
    const [header, body, signature] = (await issueToken(key, claims())).split('.');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[10] ^= 0x01;
    expect(await codeOf(verifier().verify(`${header}.${body}.${bytes.toString('base64url')}`))).toBe('BAD_SIGNATURE');
    expect(await codeOf(verifier().verify(`${header}.${body}.${bytes.subarray(0, 32).toString('base64url')}`))).toBe('BAD_SIGNATURE');
  });

  it('tampered header (kid swapped to another trusted key)', async () => {
    const both = verifier({ keys: { jwks: { keys: [otherKey.publicJwk, key.publicJwk] } } });
    const [, body, signature] = (await issueToken(key, claims())).split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'EdDSA', kid: otherKey.kid, typ: 'at+jwt' }));
    expect(await codeOf(both.verify(`${header}.${body}.${signature}`))).toBe('BAD_SIGNATURE');
  });

  it.each(['roles', 'sub', 'exp', 'iat', 'auth_time', 'amr', 'iss', 'aud', 'principal_type'])('missing %s claim', async (claim) => {
    const payload: Record<string, unknown> = validPayload();
    delete payload[claim];
    expect(await codeOf(verifier().verify(await signRaw({ kid: key.kid, typ: 'at+jwt' }, payload)))).toBe('MISSING_CLAIM');
  });

  it.each<[string, Record<string, unknown>]>([
    ['roles as a string', { roles: 'admin' }],
    ['an empty role', { roles: ['auditor', ''] }],
    ['amr as a string', { amr: 'mfa' }],
    ['exp as a string', { exp: String(NOW_SEC + 60) }],
    ['an unknown principal_type', { principal_type: 'robot' }],
    ['auth_time in the future', { auth_time: NOW_SEC + 3600 }],
  ])('malformed claims: %s', async (_what, patch) => {
    expect(await codeOf(verifier().verify(await signRaw({ kid: key.kid, typ: 'at+jwt' }, { ...validPayload(), ...patch })))).toBe('MALFORMED');
  });

  it('a signed JWT that is not an access token (no typ at+jwt, or no kid)', async () => {
    expect(await codeOf(verifier().verify(await signRaw({ kid: key.kid, typ: 'JWT' }, validPayload())))).toBe('MALFORMED');
    expect(await codeOf(verifier().verify(await signRaw({ kid: key.kid }, validPayload())))).toBe('MALFORMED');
    // Without kid, jose would pick the only key in the set; we refuse anyway.
    expect(await codeOf(verifier().verify(await signRaw({ typ: 'at+jwt' }, validPayload())))).toBe('MALFORMED');
  });

  it.each(['', 'abc', 'a.b', 'a.b.c.d', '....', `${'a'.repeat(9000)}.b.c`, 'eyJ.e30.', 'W10.e30.x'])('garbage %j', async (token) => {
    expect(['MALFORMED', 'ALG_NOT_ALLOWED']).toContain(await codeOf(verifier().verify(token.slice(0, 9100))));
  });

  it('the error never quotes the token', async () => {
    const token = await issueToken(key, claims({ issuer: 'https://evil.example' }));
    const error = (await verifier().verify(token).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(token.split('.')[1]);
    expect(error.message).not.toContain(token.split('.')[2]);
  });
});

describe('configuration that would open a hole is refused at construction', () => {
  it.each<[string, Partial<TokenVerifierOptions>, RegExp]>([
    ['alg none', { algorithms: ['none' as never] }, /algorithms: "none" is not an asymmetric JWS algorithm/],
    ['HS256', { algorithms: ['HS256' as never] }, /algorithms: "HS256" is not an asymmetric/],
    ['an empty allowlist', { algorithms: [] }, /non-empty allowlist/],
    ['a symmetric key', { keys: { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } } }, /keys\.jwks\.keys\[0\]: symmetric \(oct\) keys are not accepted/],
    ['a private key', { keys: { jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA', d: 'AA' }] } } }, /keys\.jwks\.keys\[0\]: is a private key/],
    ['an empty key set', { keys: { jwks: { keys: [] } } }, /at least one key/],
    ['a plain-http remote JWKS', { keys: { jwksUrl: 'http://auth.example/jwks' } }, /must be https/],
    ['no audience', { audience: '' }, /audience: must be a non-empty string/],
    ['a tolerance of an hour', { clockToleranceSec: 3600 }, /clockToleranceSec: must be an integer from 0 to 300/],
  ])('%s', (_what, overrides, message) => {
    expect(() => verifier(overrides)).toThrow(message);
  });
});
