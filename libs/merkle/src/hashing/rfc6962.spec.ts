import { fromHex, readVectorFile } from '../testing/vectors';
import type { HasherKat } from '../testing/vector-types';
import { emptyRootHash, HASH_SIZE, leafHash, nodeHash } from './rfc6962';

const kat = readVectorFile<HasherKat>('rfc6962_hasher_kat.json');

(kat.data ? describe : describe.skip)(kat.title, () => {
  it.each(kat.data?.cases ?? [])('$kind: $desc', ({ kind, input, left, right, want }) => {
    const got =
      kind === 'emptyRoot' ? emptyRootHash() : kind === 'leaf' ? leafHash(fromHex(input ?? '')) : nodeHash(fromHex(left ?? ''), fromHex(right ?? ''));
    expect(got.toString('hex')).toBe(want);
  });
});

describe('RFC 6962 hashing', () => {
  it('separates leaves from nodes: a leaf hash is never the node hash of the same bytes split in two', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(leafHash(Buffer.concat([a, b])).equals(nodeHash(a, b))).toBe(false);
  });

  it('returns 32-byte Buffers and a fresh empty root each time (callers may mutate it)', () => {
    expect(leafHash(new Uint8Array([1, 2, 3]))).toHaveLength(HASH_SIZE);
    const root = emptyRootHash();
    root[0] = 0;
    expect(emptyRootHash().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuses a string entry, naming what it got', () => {
    expect(() => leafHash('entry' as unknown as Uint8Array)).toThrow(/must be a Uint8Array or Buffer; received a string/);
  });
});
