import { compactVerify, createLocalJWKSet, importJWK, type JWK } from 'jose';
import { readVectorFile } from '../testing/external-vectors';
import { createJwsVerifier, type JwsAlgorithm, type JwsVerifier } from './jws-verifier';

// RFC 8037 and RFC 7515 example JWSs (external vectors, see /work/shared/vectors/README.md)
// through the same signature layer every access token goes through (createJwsVerifier;
// createTokenVerifier adds the JWT claim checks these examples have no claims for).
interface Rfc8037Vector { source: string; jwk: JWK; compact: string; tampered_compact: string; payload_utf8: string; expected: string }
interface Rfc8037 { vectors: Partial<Rfc8037Vector>[] }
interface Rfc7515Vector { source: string; alg: string; jwk: JWK; compact: string }
interface Rfc7515 { vectors: (Omit<Rfc7515Vector, 'jwk'> & { jwk: JWK | null })[] }

/** The vector whose source names the appendix, with the fields the test reads. */
function appendix(vectors: Partial<Rfc8037Vector>[], section: string): Rfc8037Vector {
  const found = vectors.find((v) => v.source?.includes(section));
  if (!found) throw new Error(`jws_rfc8037_ed25519.json: no vector for ${section}`);
  return found as Rfc8037Vector;
}

const rfc8037 = readVectorFile<Rfc8037>('jws_rfc8037_ed25519.json');
const rfc7515 = readVectorFile<Rfc7515>('jws_rfc7515.json');
// Any Ed25519 public key: the RFC 7515 tokens must be refused before a key matters.
const ED25519_PUBLIC: JWK = { kty: 'OKP', crv: 'Ed25519', x: '0ITvbNMllg4SAH1ordbOOKniP0Q9lK2tODKSqQizj74' };
const describeIf = (data: unknown) => (data ? describe : describe.skip);

const publicOnly = (jwk: JWK): JWK => Object.fromEntries(Object.entries(jwk).filter(([name]) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(name))) as JWK;

describeIf(rfc8037)('RFC 8037 Ed25519 vectors through the Vigil signature layer', () => {
  const vectors = rfc8037?.vectors ?? [];
  let signing: Rfc8037Vector;
  let validation: Rfc8037Vector;
  let verifier: JwsVerifier;

  beforeAll(() => {
    signing = appendix(vectors, 'A.4');
    validation = appendix(vectors, 'A.5');
    verifier = createJwsVerifier({ keys: { jwks: { keys: [appendix(vectors, 'A.2').jwk] } }, algorithms: ['EdDSA'] });
  });

  it('A.4: the example signature verifies and yields the example payload', async () => {
    const { header, payload } = await verifier.verify(signing.compact);
    expect(header).toEqual({ alg: 'EdDSA' });
    expect(new TextDecoder().decode(payload)).toBe(signing.payload_utf8);
  });

  it('A.5: the validation example is valid', async () => {
    expect(validation.expected).toBe('valid');
    await expect(verifier.verify(validation.compact)).resolves.toBeDefined();
  });

  it('A.5 tampered: one changed payload character fails with BAD_SIGNATURE', async () => {
    await expect(verifier.verify(validation.tampered_compact)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('the same token against another Ed25519 key fails with BAD_SIGNATURE', async () => {
    const wrongKey = createJwsVerifier({ keys: { jwks: { keys: [ED25519_PUBLIC] } }, algorithms: ['EdDSA'] });
    await expect(wrongKey.verify(signing.compact)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });
});

describeIf(rfc7515)('RFC 7515 vectors: refused by the EdDSA-only allowlist', () => {
  const vectors = rfc7515?.vectors ?? [];
  const verifier = () => createJwsVerifier({ keys: { jwks: { keys: [ED25519_PUBLIC] } }, algorithms: ['EdDSA'] });
  const signed = vectors.filter((v): v is Rfc7515Vector => v.alg !== 'none' && v.jwk !== null);
  const none = vectors.find((v) => v.alg === 'none');

  it('covers HS256, RS256, ES256 and none', () => {
    expect(vectors.map((v) => v.alg)).toEqual(expect.arrayContaining(['HS256', 'RS256', 'ES256', 'none']));
  });

  // The vectors are genuine (jose verifies each with its own key), so the refusal below
  // is the allowlist at work, not a broken example.
  it.each(signed.map((v) => [v.alg, v] as const))('%s: the vector itself is valid under its own key', async (alg, vector) => {
    const key = await importJWK(vector.alg === 'HS256' ? vector.jwk : publicOnly(vector.jwk), alg);
    await expect(compactVerify(vector.compact, key, { algorithms: [alg] })).resolves.toBeDefined();
  });

  it.each(signed.map((v) => [v.alg, v] as const))('%s: refused with ALG_NOT_ALLOWED', async (_alg, vector) => {
    await expect(verifier().verify(vector.compact)).rejects.toMatchObject({ code: 'ALG_NOT_ALLOWED' });
  });

  it.each(signed.filter((v) => v.alg !== 'HS256').map((v) => [v.alg, v] as const))(
    '%s: accepted by our layer once the allowlist names it and the key set holds its public key',
    async (alg, vector) => {
      const allowing = createJwsVerifier({ keys: { jwks: { keys: [publicOnly(vector.jwk)] } }, algorithms: [alg as JwsAlgorithm] });
      await expect(allowing.verify(vector.compact)).resolves.toMatchObject({ header: { alg } });
    },
  );

  it('A.5 (alg none, empty signature): refused with ALG_NOT_ALLOWED', async () => {
    expect(none?.compact.endsWith('.')).toBe(true);
    await expect(verifier().verify(none?.compact ?? '')).rejects.toMatchObject({ code: 'ALG_NOT_ALLOWED' });
  });

  it('A.5 (alg none): jose itself refuses it even with no allowlist, so our check is not the only guard', async () => {
    await expect(compactVerify(none?.compact ?? '', createLocalJWKSet({ keys: [ED25519_PUBLIC] }))).rejects.toThrow();
  });
});
