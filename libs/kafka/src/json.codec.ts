import { isUtf8 } from 'node:buffer';
import { DecodeError } from './decode-error';

/** UTF-8 JSON, the default wire form of every topic (CONTRACTS.md). */
export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/**
 * Parses UTF-8 JSON into an untrusted value (the contract checks it next). A byte-order
 * mark is tolerated because some producers add one; invalid UTF-8 is not silently
 * replaced, since a replaced character would make a wrong value look valid.
 */
export function decodeJson(topic: string, bytes: Buffer | null | undefined): unknown {
  if (!bytes || bytes.length === 0) {
    throw new DecodeError('bad-json', topic, 'value is empty (null or zero bytes); expected a UTF-8 JSON object');
  }
  if (!isUtf8(bytes)) {
    throw new DecodeError('bad-json', topic, `value is not valid UTF-8 (${bytes.length} bytes)`);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (cause) {
    // V8 quotes the start of the text in its message; keep the reason, drop the quote, so
    // logs and x-error headers never echo payload content.
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/,? ".*" is not valid JSON$/s, '');
    throw new DecodeError('bad-json', topic, `value is not valid JSON (${bytes.length} bytes): ${reason}`, { cause });
  }
}
