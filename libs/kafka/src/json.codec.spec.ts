import { DecodeError } from './decode-error';
import { decodeJson, encodeJson } from './json.codec';

function decodeError(bytes: Buffer | null): DecodeError {
  try {
    decodeJson('t.market.orders.v1', bytes);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('JSON codec', () => {
  it('round-trips a value as UTF-8 JSON', () => {
    const value = { eventId: 'é-1', price: 101.5, nested: { ok: true } };
    const bytes = encodeJson(value);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(value));
    expect(decodeJson('t', bytes)).toEqual(value);
  });

  it('tolerates a leading byte-order mark', () => {
    expect(decodeJson('t', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]))).toEqual({ a: 1 });
  });

  it.each([
    ['null value', null, /value is empty/],
    ['zero bytes', Buffer.alloc(0), /value is empty/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
    ['truncated JSON', Buffer.from('{"eventId":'), /not valid JSON .*Unexpected end/],
    ['plain text', Buffer.from('not json at all'), /not valid JSON/],
  ])('rejects %s as bad-json', (_name, bytes, message) => {
    const error = decodeError(bytes);
    expect(error.kind).toBe('bad-json');
    expect(error.topic).toBe('t.market.orders.v1');
    expect(error.message).toMatch(/^bad-json: /);
    expect(error.message).toMatch(message);
  });

  it('never echoes the payload in the error (it may hold data that must not reach logs)', () => {
    const error = decodeError(Buffer.from('secret-token-value is not json'));
    expect(error.message).not.toContain('secret-token-value');
  });
});
