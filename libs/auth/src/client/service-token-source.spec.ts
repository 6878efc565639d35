import { ServiceTokenError, ServiceTokenSource } from './service-token-source';

// The exchange against the real gateway is in apps/auth-gateway (service-accounts.int-spec.ts);
// here the caching and single flight, with a scripted fetch and clock.
function harness(answers: Array<() => Response | Promise<Response>>) {
  let now = 1_000_000;
  const calls: Array<{ url: string; body: unknown }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: JSON.parse(String(init.body)) });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as unknown as typeof fetch;
  const source = new ServiceTokenSource({ tokenUrl: 'http://127.0.0.1:8080/v1/auth/token', clientId: 'svc-vault', clientSecret: 's3cret-value', now: () => now, fetch: fetchFn });
  return { source, calls, advance: (ms: number) => (now += ms) };
}

const ok = (token: string, expiresIn = 300) => () => new Response(JSON.stringify({ tokenType: 'Bearer', accessToken: token, expiresIn }), { status: 200 });

describe('ServiceTokenSource', () => {
  it('exchanges client credentials once and serves the cached token until 30 s before expiry', async () => {
    const h = harness([ok('t1'), ok('t2')]);
    expect(await h.source.token()).toBe('t1');
    expect(h.calls).toEqual([{ url: 'http://127.0.0.1:8080/v1/auth/token', body: { grant_type: 'client_credentials', client_id: 'svc-vault', client_secret: 's3cret-value' } }]);
    h.advance(269_000);
    expect(await h.source.token()).toBe('t1');
    h.advance(1_000);
    expect(await h.source.token()).toBe('t2');
    expect(h.calls).toHaveLength(2);
  });

  it('shares one exchange among concurrent callers (single flight)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = harness([async () => (await gate, ok('t1')())]);
    const waiting = Promise.all([h.source.token(), h.source.token(), h.source.token()]);
    release();
    expect(await waiting).toEqual(['t1', 't1', 't1']);
    expect(h.calls).toHaveLength(1);
  });

  it('does not cache a failure, names the client but never the secret, and refreshes early for short tokens', async () => {
    const h = harness([() => new Response(JSON.stringify({ error: 'invalid_client', message: 'client id or secret is wrong' }), { status: 401 }), ok('t1', 20), ok('t2', 20)]);
    const failure = await h.source.token().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceTokenError);
    expect(failure).toMatchObject({ status: 401, message: 'token endpoint refused client svc-vault: client id or secret is wrong' });
    expect(String((failure as Error).message)).not.toContain('s3cret');
    expect(await h.source.token()).toBe('t1');
    h.advance(10_000); // half of a 20 s token
    expect(await h.source.token()).toBe('t2');
  });

  it('refuses missing options and non-http URLs at construction', () => {
    expect(() => new ServiceTokenSource({ tokenUrl: 'http://x/t', clientId: '', clientSecret: 's' })).toThrow('ServiceTokenSource clientId: required');
    expect(() => new ServiceTokenSource({ tokenUrl: 'ftp://x/t', clientId: 'a', clientSecret: 's' })).toThrow('tokenUrl: must be an http(s) URL');
  });
});
