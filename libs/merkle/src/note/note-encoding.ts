// The character rules of c2sp.org/signed-note, shared by notes, keys and checkpoints.
import { isUtf8 } from 'node:buffer';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SPACE_OR_PLUS = /[\p{White_Space}\p{Z}+]/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The note as text if it is valid UTF-8 without ASCII control characters other than newline; else a reason. */
export function decodeNoteText(input: unknown): { text: string } | { problem: string } {
  let text: string;
  if (typeof input === 'string') {
    if (LONE_SURROGATE.test(input)) return { problem: 'the note is not well-formed Unicode (a lone surrogate)' };
    text = input;
  } else if (input instanceof Uint8Array) {
    if (!isUtf8(input)) return { problem: 'the note is not valid UTF-8' };
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  } else {
    return { problem: `the note must be a string or UTF-8 bytes; received ${input === null ? 'null' : typeof input}` };
  }
  const at = controlCharacterAt(text);
  if (at >= 0) return { problem: `the note contains the control character U+${text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase()} at offset ${at} (only newline is allowed)` };
  return { text };
}

/** Index of the first ASCII control character other than newline, or -1. */
function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return i;
  }
  return -1;
}

/** Key names: non-empty, no Unicode space, no '+', no control character. */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !SPACE_OR_PLUS.test(name) && controlCharacterAt(name) < 0 && !name.includes('\n') && !LONE_SURROGATE.test(name);
}

/** Standard base64 with padding, in its one canonical spelling; undefined otherwise. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
