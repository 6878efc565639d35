import { maskUrlCredentials } from '@vigil/config';

const MAX_LENGTH = 300;

/**
 * A one-line reason from whatever a client library threw, with the causes it wraps:
 * "Cannot connect to any broker: Connection to 127.0.0.1:9092 failed: connect ECONNREFUSED
 * 127.0.0.1:9092". Node's connection errors can be an AggregateError with an empty
 * message (one error per address tried); then the inner errors are the reason.
 */
export function describeError(err: unknown): string {
  const text = maskUrlCredentials(describe(err, 0)).replace(/\s+/g, ' ').trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text || 'failed without a reason';
}

function describe(err: unknown, depth: number): string {
  if (!(err instanceof Error)) return String(err);
  const wrapped: unknown[] = [...(Array.isArray((err as { errors?: unknown }).errors) ? (err as AggregateError).errors : [])];
  if (err.cause !== undefined) wrapped.push(err.cause);
  const inner = depth < 3 ? [...new Set(wrapped.map((e) => describe(e, depth + 1)))].filter((t) => t && !err.message.includes(t)) : [];
  if (!err.message && inner.length > 0) return inner.join('; ');
  const code = (err as { code?: unknown }).code;
  const own = err.message || (typeof code === 'string' ? code : err.name);
  return inner.length > 0 ? `${own.replace(/\.$/, '')}: ${inner.join('; ')}` : own;
}
