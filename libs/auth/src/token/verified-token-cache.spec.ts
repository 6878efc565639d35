import { AuthError } from './auth-error';
import { generateSigningKey, issueToken } from './token-issuer';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';
import { withVerifiedTokenCache } from './verified-token-cache';

describe('withVerifiedTokenCache', () => {
  it('verifies a token once until it expires, then hands it to the verifier again; never caches a failure', async () => {
    const key = await generateSigningKey();
    const real = createTokenVerifier({ issuer: 'i', audience: 'a', keys: { jwks: { keys: [key.publicJwk] } }, clockToleranceSec: 0 });
    let calls = 0;
    const counting: TokenVerifier = { verify: (t) => (calls++, real.verify(t)) };
    let now = Date.now();
    const cached = withVerifiedTokenCache(counting, { now: () => now, maxEntries: 2 });
    const token = await issueToken(key, { issuer: 'i', audience: 'a', subject: 's', principalType: 'user', roles: ['sre'], authTime: Math.floor(now / 1000), amr: ['pwd'], ttlSec: 60, now });
    expect(cached.isCached(token)).toBe(false);
    expect((await cached.verify(token)).id).toBe('s');
    expect(cached.isCached(token)).toBe(true);
    expect((await cached.verify(token)).id).toBe('s');
    expect(calls).toBe(1);

    const tampered = `${token.slice(0, -3)}AAA`;
    await expect(cached.verify(tampered)).rejects.toBeInstanceOf(AuthError);
    await expect(cached.verify(tampered)).rejects.toBeInstanceOf(AuthError);
    expect(calls).toBe(3);

    // Past exp by the cache's clock: not served from the cache (the verifier, on its own clock, decides).
    now += 61_000;
    expect(cached.isCached(token)).toBe(false);
    await cached.verify(token).catch(() => undefined);
    expect(calls).toBe(4);
  });

  it('keeps at most maxEntries tokens, dropping the oldest', async () => {
    let calls = 0;
    const fake: TokenVerifier = { verify: async (t) => (calls++, { type: 'user', id: t, roles: [], authTime: 0, amr: [], expiresAt: Date.now() / 1000 + 60 }) };
    const cached = withVerifiedTokenCache(fake, { maxEntries: 2 });
    for (const t of ['a', 'b', 'c', 'c', 'b', 'a']) await cached.verify(t);
    // a, b, c verified; c and b hit; a was dropped when c came in.
    expect(calls).toBe(4);
  });

  it('with maxAgeMs, verifies a token again once that long has passed since its verification, even before exp', async () => {
    let calls = 0;
    let now = 1_000_000;
    const fake: TokenVerifier = { verify: async (t) => (calls++, { type: 'service', id: t, roles: [], authTime: 0, amr: [], expiresAt: now / 1000 + 600 }) };
    const cached = withVerifiedTokenCache(fake, { maxAgeMs: 60_000, now: () => now });
    await cached.verify('t');
    now += 59_000;
    await cached.verify('t');
    expect(calls).toBe(1);
    now += 1_000;
    expect(cached.isCached('t')).toBe(false);
    await cached.verify('t');
    expect(calls).toBe(2);
  });
});
