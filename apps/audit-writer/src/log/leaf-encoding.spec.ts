import { leafHash } from '@vigil/merkle';
import { decodeLeaf, encodeLeaf, LeafDecodeError, type LeafContent } from './leaf-encoding';

const content: LeafContent = {
  log: 'audit.events.v1-3',
  seq: 41,
  arrivedAt: '2026-12-03T17:30:00.123Z',
  source: { topic: 'audit.events.v1', partition: 3, offset: 1041 },
  event: { eventId: 'e-1', ts: '2026-12-03T17:29:59Z', service: 'vault', actor: { type: 'service', id: 'reporter' }, action: 'secrets.read', resource: 'secret:db/reporter', outcome: 'allowed' },
};

// Fixed forever: a change here means old logs no longer verify. Add a new version instead.
const EXPECTED_JSON =
  '{"arrivedAt":"2026-12-03T17:30:00.123Z","event":{"action":"secrets.read","actor":{"id":"reporter","type":"service"},"eventId":"e-1","outcome":"allowed","resource":"secret:db/reporter","service":"vault","ts":"2026-12-03T17:29:59Z"},"log":"audit.events.v1-3","seq":41,"source":{"offset":1041,"partition":3,"topic":"audit.events.v1"},"v":1}';
const EXPECTED_LEAF_HASH = 'c2978fdf7f757f1d1a10326ca17bef295e5900509d8653aa76f9c5498c0ac18c';

describe('leaf encoding v1', () => {
  it('is 0x01 then the canonical JSON of the leaf, with a fixed leaf hash', () => {
    const bytes = encodeLeaf(content);
    expect(bytes[0]).toBe(0x01);
    expect(bytes.subarray(1).toString('utf8')).toBe(EXPECTED_JSON);
    expect(leafHash(bytes).toString('hex')).toBe(EXPECTED_LEAF_HASH);
  });

  it('does not depend on the order the event fields arrived in', () => {
    const reordered = { ...content, event: Object.fromEntries(Object.entries(content.event as object).reverse()) };
    expect(encodeLeaf(reordered).equals(encodeLeaf(content))).toBe(true);
  });

  it('decodes what it encodes', () => {
    expect(decodeLeaf(encodeLeaf(content))).toEqual(content);
  });

  it.each<[string, Buffer, RegExp]>([
    ['an empty leaf', Buffer.alloc(0), /empty leaf/],
    ['another version byte', Buffer.concat([Buffer.from([2]), Buffer.from(EXPECTED_JSON)]), /unknown leaf encoding version 0x02/],
    ['non-canonical JSON (whitespace)', Buffer.concat([Buffer.from([1]), Buffer.from(EXPECTED_JSON.replace('"seq":41', '"seq": 41'))]), /not the canonical/],
    ['one changed byte', Buffer.concat([Buffer.from([1]), Buffer.from(EXPECTED_JSON.replace('"seq":41', '"seq":{1'))]), /not UTF-8 JSON/],
    ['a body without the version field', Buffer.concat([Buffer.from([1]), Buffer.from(EXPECTED_JSON.replace(',"v":1', ''))]), /"v" is undefined/],
    ['a body without its log', Buffer.concat([Buffer.from([1]), Buffer.from('{"v":1}')]), /lacks one of/],
    ['a byte-order mark before the body', Buffer.concat([Buffer.from([1, 0xef, 0xbb, 0xbf]), Buffer.from(EXPECTED_JSON)]), /not UTF-8 JSON|not the canonical/],
    ['invalid UTF-8 in a string', Buffer.from(Buffer.concat([Buffer.from([1]), Buffer.from(EXPECTED_JSON.replace('vault', 'va\u0000lt'))]).map((b) => (b === 0 ? 0xc3 : b))), /not UTF-8 JSON/],
    ['an escaped character JCS writes plainly', Buffer.concat([Buffer.from([1]), Buffer.from(EXPECTED_JSON.replace('"vault"', '"\\u0076ault"'))]), /not the canonical/],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeLeaf(bytes)).toThrow(LeafDecodeError);
    expect(() => decodeLeaf(bytes)).toThrow(message);
  });
});
