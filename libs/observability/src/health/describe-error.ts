import { maskUrlCredentials } from '@vigil/config';

const MAX_LENGTH = 300;

/**
 * A one-line reason from whatever a client library threw. Node's connection errors
 * can be an AggregateError with an empty message (one error per address tried), so
 * the code and inner errors are used when the message says nothing.
 */
export function describeError(err: unknown): string {
  const text = maskUrlCredentials(rawDescription(err)).replace(/\s+/g, ' ').trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text || 'failed without a reason';
}

function rawDescription(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(rawDescription))].join('; ');
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}
