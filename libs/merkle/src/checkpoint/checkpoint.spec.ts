import { leafHash } from '../hashing/rfc6962';
import { NoteError, type NoteFailure } from '../note/note-error';
import { generateNoteKeys, parseSignerKey } from '../note/note-keys';
import { signNote } from '../note/signed-note';
import { readVectorFile } from '../testing/vectors';
import type { SignedNoteVectors } from '../testing/vector-types';
import { CompactRange } from '../tree/compact-range';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { signCheckpoint, verifyCheckpoint } from './checkpoint-note';

const vectors = readVectorFile<SignedNoteVectors>('signed_note_ed25519.json');

function failure(run: () => unknown): NoteFailure | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof NoteError) return error.code;
    throw error;
  }
}

(vectors.data ? describe : describe.skip)(`checkpoint example of ${vectors.title}`, () => {
  it('parses the C2SP example and formats it back byte for byte', () => {
    const text = (vectors.data as SignedNoteVectors).checkpointFormat.exampleText;
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.size).toBe(20852163);
    expect(checkpoint.rootHash).toHaveLength(32);
    expect(formatCheckpoint(checkpoint)).toBe(text);
  });
});

describe('checkpoints', () => {
  const origin = 'vigil.test/audit/market.orders.v1/0';
  const keys = generateNoteKeys(origin);
  const signer = parseSignerKey(keys.signerKey);
  const range = CompactRange.empty();
  range.appendAll([0, 1, 2].map((i) => leafHash(Buffer.from([i]))));
  const checkpoint = { origin, size: range.size, rootHash: range.rootHash() };

  it('sign then verify gives back the same tree head', () => {
    const note = signCheckpoint(checkpoint, [signer]);
    expect(note.startsWith(`${origin}\n3\n${checkpoint.rootHash.toString('base64')}\n\n\u2014 ${origin} `)).toBe(true);
    const { checkpoint: got, note: opened } = verifyCheckpoint(note, { trusted: [keys.verifierKey], origin });
    expect(got).toEqual({ origin, size: 3, rootHash: checkpoint.rootHash, extensions: [] });
    expect(opened.signatures[0]?.name).toBe(origin);
  });

  it('keeps extension lines', () => {
    const note = signCheckpoint({ ...checkpoint, extensions: ['batch 17', 'offsets 0:120'] }, [signer]);
    expect(verifyCheckpoint(note, { trusted: [keys.verifierKey], origin }).checkpoint.extensions).toEqual(['batch 17', 'offsets 0:120']);
  });

  it('the empty tree is size 0 with the empty root', () => {
    const text = formatCheckpoint({ origin, size: 0, rootHash: CompactRange.empty().rootHash() });
    expect(text).toBe(`${origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
    expect(parseCheckpoint(text).size).toBe(0);
  });

  it("refuses another log's checkpoint signed by the same key (ORIGIN_MISMATCH)", () => {
    const note = signCheckpoint({ ...checkpoint, origin: 'vigil.test/audit/market.orders.v1/1' }, [signer]);
    expect(failure(() => verifyCheckpoint(note, { trusted: [keys.verifierKey], origin }))).toBe('ORIGIN_MISMATCH');
    expect(failure(() => verifyCheckpoint(note, { trusted: [keys.verifierKey], origin: '' }))).toBe('ORIGIN_MISMATCH');
  });

  it('refuses a forged checkpoint: changed size, changed root, unknown key', () => {
    const note = signCheckpoint(checkpoint, [signer]);
    expect(failure(() => verifyCheckpoint(note.replace('\n3\n', '\n4\n'), { trusted: [keys.verifierKey], origin }))).toBe('INVALID_SIGNATURE');
    const otherRoot = Buffer.alloc(32, 9).toString('base64');
    expect(failure(() => verifyCheckpoint(note.replace(checkpoint.rootHash.toString('base64'), otherRoot), { trusted: [keys.verifierKey], origin }))).toBe('INVALID_SIGNATURE');
    const forger = parseSignerKey(generateNoteKeys(origin).signerKey);
    expect(failure(() => verifyCheckpoint(signCheckpoint(checkpoint, [forger]), { trusted: [keys.verifierKey], origin }))).toBe('NO_TRUSTED_SIGNATURE');
  });

  const root = Buffer.alloc(32, 1).toString('base64');
  it.each([
    ['two lines', `${origin}\n3\n`],
    ['a leading zero', `${origin}\n03\n${root}\n`],
    ['a negative size', `${origin}\n-3\n${root}\n`],
    ['a size with a plus sign', `${origin}\n+3\n${root}\n`],
    ['a hex size', `${origin}\n0x3\n${root}\n`],
    ['a size past 2^53', `${origin}\n18446744073709551615\n${root}\n`],
    ['a 31-byte root', `${origin}\n3\n${Buffer.alloc(31).toString('base64')}\n`],
    ['a hex root', `${origin}\n3\n${Buffer.alloc(32).toString('hex')}\n`],
    ['unpadded base64', `${origin}\n3\n${root.replace('=', '')}\n`],
    ['an empty origin', `\n3\n${root}\n`],
    ['an empty extension line', `${origin}\n3\n${root}\n\nx\n`],
    ['no final newline', `${origin}\n3\n${root}`],
  ])('parseCheckpoint refuses %s (MALFORMED_CHECKPOINT)', (_name, text) => {
    expect(failure(() => parseCheckpoint(text))).toBe('MALFORMED_CHECKPOINT');
  });

  it('verifyCheckpoint refuses a well-signed note that is not a checkpoint', () => {
    const note = signNote('hello\n', [signer]);
    expect(failure(() => verifyCheckpoint(note, { trusted: [keys.verifierKey], origin }))).toBe('MALFORMED_CHECKPOINT');
  });

  it('formatCheckpoint refuses what it could not parse back', () => {
    expect(failure(() => formatCheckpoint({ ...checkpoint, size: -1 }))).toBe('MALFORMED_CHECKPOINT');
    expect(failure(() => formatCheckpoint({ ...checkpoint, rootHash: Buffer.alloc(31) }))).toBe('MALFORMED_CHECKPOINT');
    expect(failure(() => formatCheckpoint({ ...checkpoint, origin: 'two\nlines' }))).toBe('MALFORMED_CHECKPOINT');
    expect(failure(() => formatCheckpoint({ ...checkpoint, extensions: [''] }))).toBe('MALFORMED_CHECKPOINT');
  });
});
