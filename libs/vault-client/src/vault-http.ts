import { VaultClientError, classify } from './vault-client.errors';

export interface VaultHttpOptions {
  /** The vault's base URL, e.g. http://127.0.0.1:8101. */
  url: string;
  /** A current access token for this service (e.g. libs/auth's ServiceTokenSource); called per request, so it should cache. */
  token: () => Promise<string>;
  /**
   * Called when the vault refuses the token itself (401 unauthorized: expired, revoked key):
   * the call is retried once with a fresh token. ServiceTokenSource's invalidate() fits.
   */
  invalidateToken?: () => void;
  /** Longest wait for one answer (default 5000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One JSON call to the vault; any failure becomes a VaultClientError about `subject`. */
export class VaultHttp {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: VaultHttpOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetchFn = options.fetch ?? fetch;
  }

  async call<T>(method: string, route: string, subject: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    try {
      return await this.once<T>(method, route, subject, body, headers);
    } catch (error) {
      if (!(error instanceof VaultClientError && error.vaultCode === 'unauthorized' && this.options.invalidateToken)) throw error;
      this.options.invalidateToken();
      return this.once<T>(method, route, subject, body, headers);
    }
  }

  private async once<T>(method: string, route: string, subject: string, body: unknown, headers: Record<string, string>): Promise<T> {
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      throw new VaultClientError('denied', `${subject}: no access token for the vault (${(error as Error).message})`, subject);
    }
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (error as Error).message;
      throw new VaultClientError('unreachable', `${subject}: the vault at ${this.base} is unreachable (${why})`, subject);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const answer = (parsed ?? {}) as { error?: string; message?: string };
    const code = classify(res.status, answer.error);
    throw new VaultClientError(code, `${subject}: ${code}${answer.error && answer.error !== code ? ` (${answer.error})` : ''}: ${answer.message ?? `HTTP ${res.status}`}`, subject, res.status, answer.error);
  }
}
