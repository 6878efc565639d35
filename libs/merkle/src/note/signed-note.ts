import { decodeBase64Strict, decodeNoteText, isValidKeyName } from './note-encoding';
import { NoteError } from './note-error';
import { formatKeyId, parseVerifierKey, type NoteSigner, type NoteVerifier } from './note-keys';

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
/** Signature lines read per note, as Go's sumdb/note; C2SP asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(key ID ‖ signature), as on the line. */
  readonly base64: string;
}

export interface VerifiedNote {
  /** The signed text, final newline included. Only trust it after this verification. */
  readonly text: string;
  /** Signatures by trusted keys, each verified. Never empty. */
  readonly signatures: readonly NoteSignature[];
  /** Signatures by keys not in the trusted set, ignored (witness cosignatures, rotated keys). */
  readonly unverifiedSignatures: readonly NoteSignature[];
}

/**
 * Signs `text` (which must end with a newline) as a c2sp.org/signed-note: the text, a
 * blank line, then one line `— <name> <base64(key ID ‖ Ed25519 signature)>` per signer.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  const decoded = decodeNoteText(text);
  if ('problem' in decoded) throw new NoteError('MALFORMED_NOTE', `cannot sign: ${decoded.problem}`);
  if (!text.endsWith('\n')) throw new NoteError('MALFORMED_NOTE', 'cannot sign: the note text must end with a newline');
  if (!Array.isArray(signers) || signers.length === 0) throw new NoteError('MALFORMED_NOTE', 'cannot sign: no signer given');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    if (!isValidKeyName(signer?.name)) throw new NoteError('MALFORMED_KEY', `cannot sign: signer name ${JSON.stringify(signer?.name)} must be non-empty, without spaces or "+"`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, signer.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Opens a signed note and checks it against the trusted keys (NoteVerifier objects or
 * verifier key strings). Returns the text and signatures when at least one trusted key
 * signed it and every signature by a trusted key verifies; throws NoteError otherwise:
 * MALFORMED_NOTE, MALFORMED_KEY / AMBIGUOUS_KEY (the trusted list), INVALID_SIGNATURE,
 * NO_TRUSTED_SIGNATURE. Signatures by unknown keys — even with a known name or a known
 * ID, but not both — are ignored, as the spec requires.
 */
export function verifyNote(note: string | Uint8Array, trusted: readonly (NoteVerifier | string)[]): VerifiedNote {
  const verifiers = trustedKeyMap(trusted);
  const decoded = decodeNoteText(note);
  if ('problem' in decoded) throw new NoteError('MALFORMED_NOTE', decoded.problem);
  const { text: whole } = decoded;

  const split = whole.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('MALFORMED_NOTE', 'no blank line before a signature block');
  const text = whole.slice(0, split + 1);
  const block = whole.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new NoteError('MALFORMED_NOTE', 'the signature block is empty or does not end with a newline');

  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new NoteError('MALFORMED_NOTE', `${lines.length} signature lines; at most ${MAX_NOTE_SIGNATURES} are read`);
  const message = Buffer.from(text, 'utf8');
  const signatures: NoteSignature[] = [];
  const unverifiedSignatures: NoteSignature[] = [];
  const seenLines = new Set<string>();
  lines.forEach((line, i) => {
    if (seenLines.has(line)) return; // the same line twice says nothing new
    seenLines.add(line);
    const signature = parseSignatureLine(line, i + 1);
    const key = `${signature.name}+${formatKeyId(signature.keyId)}`;
    const verifier = verifiers.get(key);
    if (!verifier) {
      unverifiedSignatures.push(signature);
      return;
    }
    // Every signature by a trusted key is checked, a second one too: one bad one rejects the note.
    if (!verifier.verify(message, Buffer.from(signature.base64, 'base64').subarray(4))) {
      throw new NoteError('INVALID_SIGNATURE', `the signature by trusted key ${key} does not verify: the note was altered or not signed by that key`);
    }
    if (!signatures.some((known) => known.name === signature.name && known.keyId === signature.keyId)) signatures.push(signature);
  });
  if (signatures.length === 0) {
    const found = unverifiedSignatures.map((s) => `${s.name}+${formatKeyId(s.keyId)}`).join(', ');
    throw new NoteError('NO_TRUSTED_SIGNATURE', `no signature by a trusted key (signed by: ${found}; trusted: ${[...verifiers.keys()].join(', ') || 'none'})`);
  }
  return { text, signatures, unverifiedSignatures };
}

function parseSignatureLine(line: string, number: number): NoteSignature {
  const bad = (what: string) => new NoteError('MALFORMED_NOTE', `signature line ${number}: ${what}; expected "— <key name> <base64>"`);
  if (!line.startsWith(SIGNATURE_PREFIX)) throw bad('does not start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const base64 = space < 0 ? '' : rest.slice(space + 1);
  if (!isValidKeyName(name)) throw bad('no valid key name');
  const bytes = decodeBase64Strict(base64);
  if (!bytes || bytes.length < 5) throw bad('the signature is not canonical base64 of a key ID and a signature');
  return { name, keyId: bytes.readUInt32BE(0), base64 };
}

function trustedKeyMap(trusted: readonly (NoteVerifier | string)[]): Map<string, NoteVerifier> {
  if (!Array.isArray(trusted)) throw new NoteError('MALFORMED_KEY', 'the trusted keys must be an array of verifier keys');
  const map = new Map<string, NoteVerifier>();
  for (const entry of trusted) {
    const verifier = typeof entry === 'string' ? parseVerifierKey(entry) : entry;
    if (!isVerifier(verifier)) throw new NoteError('MALFORMED_KEY', 'a trusted key is neither a verifier key string nor a NoteVerifier (from parseVerifierKey)');
    const key = `${verifier.name}+${formatKeyId(verifier.keyId)}`;
    const existing = map.get(key);
    if (existing && !existing.publicKey.equals(verifier.publicKey)) throw new NoteError('AMBIGUOUS_KEY', `two trusted keys named ${key}: remove one`);
    map.set(key, verifier);
  }
  return map;
}

function isVerifier(value: unknown): value is NoteVerifier {
  const v = value as NoteVerifier | null;
  return typeof v === 'object' && v !== null && isValidKeyName(v.name) && Number.isInteger(v.keyId) && Buffer.isBuffer(v.publicKey) && typeof v.verify === 'function';
}
