/** Where a service's client credentials come from and where it exchanges them. */
export interface ServiceTokenSourceOptions {
  /** The gateway's token endpoint, e.g. http://127.0.0.1:8080/v1/auth/token. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before the token expires (default 30 s; at most half its lifetime). */
  refreshBeforeMs?: number;
  /** Give up on one exchange after this long (default 10 s). */
  timeoutMs?: number;
  /** For tests: the clock (epoch ms) and fetch. */
  now?: () => number;
  fetch?: typeof fetch;
}

/** The exchange failed: the gateway refused the credentials (`status` 401/400), or could not be reached. */
export class ServiceTokenError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ServiceTokenError';
  }
}

/**
 * A service's bearer token from the gateway (OAuth 2.0 client credentials, RFC 6749 §4.4),
 * cached until shortly before it expires. Concurrent callers share one exchange in flight
 * (single flight); a failed exchange is not cached, so the next call tries again.
 *
 *   const tokens = new ServiceTokenSource({ tokenUrl, clientId, clientSecret });
 *   await fetch(url, { headers: { authorization: `Bearer ${await tokens.token()}` } });
 *
 * The secret is sent in the body, never logged; error messages name the client id only.
 */
export class ServiceTokenSource {
  private cached?: { token: string; refreshAt: number; expiresAt: number };
  private inFlight?: Promise<string>;
  private readonly now: () => number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ServiceTokenSourceOptions) {
    for (const field of ['tokenUrl', 'clientId', 'clientSecret'] as const) {
      if (typeof options[field] !== 'string' || options[field] === '') throw new TypeError(`ServiceTokenSource ${field}: required`);
    }
    if (!/^https?:\/\//.test(options.tokenUrl)) throw new TypeError('ServiceTokenSource tokenUrl: must be an http(s) URL');
    this.now = options.now ?? Date.now;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** A token valid for a while yet: the cached one, or a new one (one exchange for all callers waiting). */
  async token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return cached.token;
    this.inFlight ??= this.exchange().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Drops the cached token (e.g. after a 401 from a service because the account's roles changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const { tokenUrl, clientId, clientSecret } = this.options;
    let response: Response;
    try {
      response = await this.fetchFn(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ServiceTokenError(`token endpoint ${tokenUrl} unreachable for client ${clientId}: ${(error as Error)?.message ?? String(error)}`);
    }
    const body = (await response.json().catch(() => undefined)) as { accessToken?: unknown; expiresIn?: unknown; error?: unknown; message?: unknown } | undefined;
    if (!response.ok) {
      const why = typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`;
      throw new ServiceTokenError(`token endpoint refused client ${clientId}: ${why}`, response.status);
    }
    if (typeof body?.accessToken !== 'string' || typeof body.expiresIn !== 'number' || body.expiresIn <= 0) {
      throw new ServiceTokenError(`token endpoint answered client ${clientId} without accessToken and expiresIn`, response.status);
    }
    const lifetimeMs = body.expiresIn * 1000;
    const early = Math.min(this.options.refreshBeforeMs ?? 30_000, lifetimeMs / 2);
    const now = this.now();
    this.cached = { token: body.accessToken, refreshAt: now + lifetimeMs - early, expiresAt: now + lifetimeMs };
    return body.accessToken;
  }
}
