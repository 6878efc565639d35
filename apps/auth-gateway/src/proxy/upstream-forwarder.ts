import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { errors, Pool } from 'undici';
import type { ProxiedService } from './proxy-routes';

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded (plus what Connection names).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Why a request could not be forwarded, before the upstream answered. */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: 'upstream_unavailable' | 'upstream_timeout' | 'bad_request',
    message: string,
  ) {
    super(message);
  }
}

export interface ForwardRequest {
  service: ProxiedService;
  req: IncomingMessage;
  res: ServerResponse;
  /** The service's path with the query, e.g. /api/incidents?state=open. */
  pathWithQuery: string;
  requestId: string;
  clientIp: string;
  /** The body already read for the decision (bodyContext routes); otherwise the request streams. */
  body?: Buffer;
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The end-to-end headers of a message: hop-by-hop ones and those its Connection header names are dropped. */
export function endToEndHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, drop: readonly string[] = []): Record<string, string | string[]> {
  const named = connectionTokens(headers['connection']);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower) || drop.includes(lower)) continue;
    out[lower] = value;
  }
  return out;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Forwards requests to the services with undici (one keep-alive pool per service). Bodies
 * stream both ways; the caller's Authorization header goes through unchanged (each service
 * verifies the token again). A service that does not answer within the timeout is a 504; one
 * that cannot be reached is a 502.
 */
export class UpstreamForwarder {
  private readonly pools = new Map<ProxiedService, { pool: Pool; basePath: string }>();

  constructor(
    upstreams: Record<ProxiedService, string>,
    timeoutMs: number,
  ) {
    for (const [service, base] of Object.entries(upstreams) as Array<[ProxiedService, string]>) {
      const url = new URL(base);
      this.pools.set(service, {
        pool: new Pool(url.origin, { connections: 128, keepAliveTimeout: 10_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000) }),
        basePath: url.pathname.replace(/\/+$/, ''),
      });
    }
  }

  /**
   * Sends the request and streams the answer into `res`. Resolves with the upstream status once
   * the body is through; rejects with UpstreamFailure when nothing was answered yet (the caller
   * answers 502/504), or with another error after the head was sent (the response is cut).
   */
  async forward({ service, req, res, pathWithQuery, requestId, clientIp, body }: ForwardRequest): Promise<number> {
    const entry = this.pools.get(service);
    if (!entry) throw new UpstreamFailure('upstream_unavailable', `no upstream configured for ${service}`);
    const headers = endToEndHeaders(req.headers, ['host', 'content-length', 'expect']);
    const forwardedFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${clientIp}` : clientIp;
    headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    headers['x-request-id'] = requestId;
    let requestBody: Buffer | IncomingMessage | undefined;
    if (body !== undefined) {
      requestBody = body;
      headers['content-length'] = String(body.length);
    } else if (hasBody(req)) {
      requestBody = req;
      if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
    }

    let answer: Awaited<ReturnType<Pool['request']>>;
    try {
      answer = await entry.pool.request({ method: req.method as 'GET', path: `${entry.basePath}${pathWithQuery}`, headers, body: requestBody });
    } catch (error) {
      throw failure(service, error);
    }
    res.statusCode = answer.statusCode;
    for (const [name, value] of Object.entries(endToEndHeaders(answer.headers as Record<string, string | string[]>))) res.setHeader(name, value);
    res.setHeader('x-request-id', requestId);
    await pipe(answer.body, res);
    return answer.statusCode;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map(({ pool }) => pool.close().catch(() => undefined)));
  }
}

/**
 * The upstream body into the answer. Not stream.pipeline: it aborts an AbortController when it
 * finishes, and building that DOMException was a visible share of the proxy's CPU per request.
 * A caller that goes away destroys the upstream body; an upstream that breaks off cuts the answer.
 */
function pipe(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onClose = () => {
      if (!res.writableFinished) body.destroy();
      resolve();
    };
    res.once('close', onClose);
    body.once('error', (error) => {
      res.off('close', onClose);
      res.destroy(error);
      reject(error);
    });
    body.pipe(res);
  });
}

function failure(service: ProxiedService, error: unknown): Error {
  if (error instanceof errors.HeadersTimeoutError) return new UpstreamFailure('upstream_timeout', `${service} did not answer in time`);
  if (error instanceof errors.ConnectTimeoutError) return new UpstreamFailure('upstream_unavailable', `${service} could not be reached (connect timeout)`);
  if (error instanceof errors.RequestContentLengthMismatchError) return new UpstreamFailure('bad_request', 'the request body does not match its Content-Length');
  if (error instanceof errors.RequestAbortedError) return error;
  const code = (error as { code?: string }).code;
  if (code && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) {
    return new UpstreamFailure('upstream_unavailable', `${service} could not be reached (${code})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
