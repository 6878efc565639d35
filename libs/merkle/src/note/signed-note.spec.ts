import { generateKeyPairSync } from 'node:crypto';
import { readVectorFile } from '../testing/vectors';
import type { SignedNoteVectors } from '../testing/vector-types';
import { NoteError, type NoteFailure } from './note-error';
import { createNoteSigner, formatVerifierKey, generateNoteKeys, parseSignerKey, parseVerifierKey } from './note-keys';
import { signNote, verifyNote } from './signed-note';

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

(vectors.data ? describe : describe.skip)(vectors.title, () => {
  const data = vectors.data as SignedNoteVectors;
  const peter = () => data.notes.find((note) => note.id === 'go-peter') as SignedNoteVectors['notes'][number];
  const negative = (prefix: string) => data?.negativeCases.find((c) => c.desc.startsWith(prefix)) as SignedNoteVectors['negativeCases'][number];

  it.each(data?.notes ?? [])('$id: the verifier key parses to its name, key ID and public key', ({ vkey, keyName, keyIdHex, publicKey }) => {
    const verifier = parseVerifierKey(vkey);
    expect([verifier.name, verifier.keyId.toString(16).padStart(8, '0'), verifier.publicKey.toString('hex')]).toEqual([keyName, keyIdHex, publicKey]);
    expect(formatVerifierKey(keyName, Buffer.from(publicKey, 'hex'))).toBe(vkey);
  });

  it.each(data?.notes ?? [])('$id: the signature verifies', ({ vkey, keyName, text, signatureLineBase64 }) => {
    const note = `${text}\n\u2014 ${keyName} ${signatureLineBase64}\n`;
    const opened = verifyNote(note, [vkey]);
    expect(opened.text).toBe(text);
    expect(opened.signatures.map((s) => s.name)).toEqual([keyName]);
  });

  it.each((data?.notes ?? []).filter((note) => note.signedNote))('$id: the published signed note verifies as bytes too', ({ vkey, signedNote }) => {
    expect(failure(() => verifyNote(Buffer.from(signedNote as string, 'utf8'), [vkey]))).toBe('ok');
  });

  it('go-peter: signing with the Go signer key reproduces the published note byte for byte', () => {
    const { skey, text, signedNote } = peter();
    expect(signNote(text, [parseSignerKey(skey as string)])).toBe(signedNote);
  });

  it('rejects one altered character (INVALID_SIGNATURE)', () => {
    const c = negative('text altered');
    expect(failure(() => verifyNote(c.signedNote as string, c.trusted as string[]))).toBe('INVALID_SIGNATURE');
  });

  it('ignores a signature by an unknown key next to a trusted one', () => {
    const c = negative('two signature lines');
    const opened = verifyNote(c.signedNote as string, c.trusted as string[]);
    expect(opened.signatures.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverifiedSignatures.map((s) => s.name)).toEqual(['EnochRoot']);
  });

  it('rejects a note signed by no trusted key (NO_TRUSTED_SIGNATURE)', () => {
    const c = negative('no trusted key');
    expect(failure(() => verifyNote(c.signedNote as string, c.trusted as string[]))).toBe('NO_TRUSTED_SIGNATURE');
  });

  it('rejects a corrupted signature (INVALID_SIGNATURE)', () => {
    const c = negative('corrupted signature');
    expect(failure(() => verifyNote(c.signedNote as string, c.trusted as string[]))).toBe('INVALID_SIGNATURE');
  });

  it('rejects 101 signature lines (MALFORMED_NOTE), accepts 16', () => {
    const { text, keyName, signatureLineBase64, vkey } = peter();
    const line = `\u2014 ${keyName} ${signatureLineBase64}\n`;
    expect(failure(() => verifyNote(`${text}\n${line.repeat(101)}`, [vkey]))).toBe('MALFORMED_NOTE');
    expect(failure(() => verifyNote(`${text}\n${line.repeat(16)}`, [vkey]))).toBe('ok');
  });

  it.each(negative('malformed encodings')?.signedNotes?.map((note, i) => [i, note]) ?? [])('rejects malformed encoding %d (MALFORMED_NOTE)', (_i, note) => {
    expect(failure(() => verifyNote(note, negative('malformed encodings').trusted as string[]))).toBe('MALFORMED_NOTE');
  });

  it('rejects a note prefixed with the invalid UTF-8 byte 0xff (the case JSON cannot carry)', () => {
    const { signedNote, vkey } = peter();
    expect(failure(() => verifyNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(signedNote as string)]), [vkey]))).toBe('MALFORMED_NOTE');
  });

  it.each(negative('bad verifier keys')?.vkeys ?? [])('refuses the bad verifier key %s', (vkey) => {
    expect(failure(() => parseVerifierKey(vkey))).toBe('MALFORMED_KEY');
  });

  it('refuses every proper substring and every one-character increment of a valid verifier key', () => {
    const { vkey } = peter();
    for (let start = 0; start < vkey.length; start++) {
      for (let end = start + 1; end <= vkey.length; end++) {
        if (end - start < vkey.length) expect(failure(() => parseVerifierKey(vkey.slice(start, end)))).toBe('MALFORMED_KEY');
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const changed = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expect(failure(() => parseVerifierKey(changed))).toBe('MALFORMED_KEY');
    }
  });

  it('treats a signature whose key ID differs from the trusted key as unknown', () => {
    const c = negative('lookup with a key ID');
    const { text, signatureLineBase64 } = peter();
    const bytes = Buffer.from(signatureLineBase64, 'base64');
    Buffer.from(c.keyIdHex as string, 'hex').copy(bytes, 0);
    const note = `${text}\n\u2014 ${c.keyName} ${bytes.toString('base64')}\n`;
    expect(() => verifyNote(note, c.trusted as string[])).toThrow(/NO_TRUSTED_SIGNATURE: .*signed by: PeterNeumann\+c74f20a4/);
  });
});

describe('signed notes with our own keys', () => {
  const log = generateNoteKeys('vigil.test/audit/orders/0');
  const other = generateNoteKeys('vigil.test/audit/orders/1');
  const text = 'vigil.test/audit/orders/0\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const signed = () => signNote(text, [parseSignerKey(log.signerKey)]);

  it('round-trips: sign, then verify with the verifier key', () => {
    const opened = verifyNote(signed(), [log.verifierKey]);
    expect(opened.text).toBe(text);
    expect(opened.signatures).toHaveLength(1);
    expect(opened.unverifiedSignatures).toHaveLength(0);
  });

  it('signs with a KeyObject (a PEM file or the vault) the same as with the signer key string', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const note = signNote(text, [createNoteSigner('vigil.test/k', privateKey)]);
    expect(failure(() => verifyNote(note, [formatVerifierKey('vigil.test/k', publicKey)]))).toBe('ok');
  });

  it('carries several signatures; each trusted one is checked', () => {
    const note = signNote(text, [parseSignerKey(log.signerKey), parseSignerKey(other.signerKey)]);
    expect(verifyNote(note, [log.verifierKey, other.verifierKey]).signatures).toHaveLength(2);
    // Flip one bit of the second signer's Ed25519 signature (after its 4-byte key ID).
    const forged = note.replace(/(\u2014 vigil\.test\/audit\/orders\/1 )(\S+)/, (_m, prefix: string, b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[10] = (bytes[10] as number) ^ 1;
      return prefix + bytes.toString('base64');
    });
    expect(failure(() => verifyNote(forged, [log.verifierKey, other.verifierKey]))).toBe('INVALID_SIGNATURE');
    expect(failure(() => verifyNote(forged, [log.verifierKey]))).toBe('ok'); // the bad line is from a key not trusted here
  });

  it.each<[string, () => string, NoteFailure]>([
    ['a changed size', () => signed().replace('\n42\n', '\n43\n'), 'INVALID_SIGNATURE'],
    ['a signature by the same name with another key', () => signNote(text, [parseSignerKey(generateNoteKeys('vigil.test/audit/orders/0').signerKey)]), 'NO_TRUSTED_SIGNATURE'],
    ['a signature line without the blank line', () => signed().replace('\n\n', '\n'), 'MALFORMED_NOTE'],
    ['a trailing line after the signatures', () => `${signed()}extra\n`, 'MALFORMED_NOTE'],
    ['no final newline', () => signed().slice(0, -1), 'MALFORMED_NOTE'],
    ['a hyphen instead of the em dash', () => signed().replace('\u2014', '-'), 'MALFORMED_NOTE'],
    ['a carriage return', () => signed().replace('\n42\n', '\n42\r\n'), 'MALFORMED_NOTE'],
    ['a tab in the text', () => signed().replace('42', '4\t2'), 'MALFORMED_NOTE'],
    ['a lone surrogate', () => `\uD800${signed()}`, 'MALFORMED_NOTE'],
    ['a signature of 4 bytes (key ID only)', () => signed().replace(/ [A-Za-z0-9+/=]+\n$/, ' AAAAAA==\n'), 'MALFORMED_NOTE'],
    ['non-canonical base64 in the signature', () => signed().replace(/=\n$/, '\n'), 'MALFORMED_NOTE'],
    ['a space inside the key name', () => signed().replace('\u2014 vigil.test', '\u2014 vigil test'), 'MALFORMED_NOTE'],
    ['nothing but text', () => text, 'MALFORMED_NOTE'],
    ['the empty string', () => '', 'MALFORMED_NOTE'],
  ])('rejects %s', (_name, make, code) => {
    expect(failure(() => verifyNote(make(), [log.verifierKey]))).toBe(code);
  });

  it('rejects inputs of the wrong type with a NoteError, not a TypeError', () => {
    expect(failure(() => verifyNote(42 as unknown as string, [log.verifierKey]))).toBe('MALFORMED_NOTE');
    expect(failure(() => verifyNote(signed(), 'not a list' as unknown as string[]))).toBe('MALFORMED_KEY');
    expect(failure(() => verifyNote(signed(), [42 as unknown as string]))).toBe('MALFORMED_KEY');
  });

  it('refuses two different trusted keys with the same name and key ID (AMBIGUOUS_KEY)', () => {
    const real = parseVerifierKey(log.verifierKey);
    const impostor = { ...real, publicKey: Buffer.alloc(32, 7) };
    expect(failure(() => verifyNote(signed(), [real, impostor]))).toBe('AMBIGUOUS_KEY');
  });

  it('refuses to sign text without a final newline, with control characters, or without signers', () => {
    const signer = parseSignerKey(log.signerKey);
    expect(failure(() => signNote('no newline', [signer]))).toBe('MALFORMED_NOTE');
    expect(failure(() => signNote('bell\u0007\n', [signer]))).toBe('MALFORMED_NOTE');
    expect(failure(() => signNote(text, []))).toBe('MALFORMED_NOTE');
  });

  it('generates keys whose signer key string never appears in an error', () => {
    const tampered = log.signerKey.replace(/\+([0-9a-f]{8})\+/, '+00000000+');
    expect(() => parseSignerKey(tampered)).toThrow(/MALFORMED_KEY: signer key: the key ID 00000000 does not match/);
    try {
      parseSignerKey(tampered);
    } catch (error) {
      expect(String(error)).not.toContain(log.signerKey.split('+').slice(4).join('+'));
    }
  });
});
