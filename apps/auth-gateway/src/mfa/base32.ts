/** RFC 4648 §6 base32 (the alphabet authenticator apps use for TOTP seeds). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUES = new Map([...ALPHABET].map((char, value) => [char, value]));
// Padding a valid encoding can end with: 8 - (chars that carry 1..4 trailing bytes).
const VALID_PADDING = new Set([0, 1, 3, 4, 6]);

/** Base32 text of `bytes`; with `=` padding to a multiple of 8 unless `pad` is false (otpauth URIs omit it). */
export function base32Encode(bytes: Uint8Array, { pad = true } = {}): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return pad ? out.padEnd(Math.ceil(out.length / 8) * 8, '=') : out;
}

/**
 * Bytes of base32 text. Case-insensitive; padding optional but, when present, correct.
 * Refuses other characters and non-canonical endings (left-over bits that are not zero),
 * so one seed has exactly one spelling.
 */
export function base32Decode(text: string): Buffer {
  const unpadded = text.replace(/=+$/, '');
  const padding = text.length - unpadded.length;
  if (padding > 0 && (text.length % 8 !== 0 || !VALID_PADDING.has(padding))) {
    throw new TypeError(`base32: wrong padding (${padding} "=" on ${text.length} characters)`);
  }
  if (!VALID_PADDING.has((8 - (unpadded.length % 8)) % 8)) throw new TypeError(`base32: ${unpadded.length} characters cannot be a whole number of bytes`);
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const [index, char] of [...unpadded.toUpperCase()].entries()) {
    const value = VALUES.get(char);
    if (value === undefined) throw new TypeError(`base32: invalid character at position ${index} (only A-Z and 2-7)`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) throw new TypeError('base32: non-canonical ending (unused trailing bits are not zero)');
  return Buffer.from(out);
}
