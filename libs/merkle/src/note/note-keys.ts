import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { decodeBase64Strict, isValidKeyName } from './note-encoding';
import { NoteError } from './note-error';

/** Signature type byte of Ed25519 in c2sp.org/signed-note. */
const ED25519 = 0x01;
const ED25519_SIGNATURE_SIZE = 64;
// DER wrappers that turn a raw 32-byte Ed25519 key into the forms node:crypto imports.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A trusted key: checks signatures of notes signed by `name` with key ID `keyId`. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian. */
  readonly keyId: number;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  /** The verifier key string `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. */
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note texts as `name`. Holds the private key; never log or serialise one. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Buffer;
}

/** The key ID of c2sp.org/signed-note for an Ed25519 key. */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  return createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().readUInt32BE(0);
}

export const formatKeyId = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/** Parses a verifier key string `<name>+<hex key ID>+<base64(0x01 ‖ 32-byte public key)>`. Throws NoteError MALFORMED_KEY. */
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  if (typeof verifierKey !== 'string') throw new NoteError('MALFORMED_KEY', `a verifier key must be a string <name>+<key ID>+<base64 key>; received ${typeof verifierKey}`);
  const parts = verifierKey.split('+');
  // The base64 part may itself contain '+': rejoin everything after the second separator.
  const [name, idHex] = parts;
  const encoded = parts.slice(2).join('+');
  const problem = (what: string) => new NoteError('MALFORMED_KEY', `verifier key ${describeKey(name)}: ${what}; expected <name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>`);
  if (parts.length < 3 || !isValidKeyName(name)) throw problem('no valid key name (non-empty, without spaces or "+") before the first "+"');
  if (!/^[0-9a-f]{8}$/.test(idHex ?? '')) throw problem('the key ID is not 8 lowercase hex digits');
  const key = decodeBase64Strict(encoded);
  if (!key) throw problem('the key is not canonical base64');
  if (key[0] !== ED25519) throw problem(`unsupported signature type ${key.length === 0 ? '(empty key)' : `0x${(key[0] as number).toString(16).padStart(2, '0')}`} (only 0x01, Ed25519)`);
  const publicKey = key.subarray(1);
  if (publicKey.length !== 32) throw problem(`an Ed25519 public key is 32 bytes; this one is ${publicKey.length}`);
  const keyId = noteKeyId(name, publicKey);
  if (formatKeyId(keyId) !== idHex) throw problem(`the key ID ${idHex} is not the hash of this name and key (${formatKeyId(keyId)})`);
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    throw problem('the public key is not a valid Ed25519 point');
  }
  return {
    name,
    keyId,
    publicKey: Buffer.from(publicKey),
    verifierKey,
    verify: (message, signature) => signature.length === ED25519_SIGNATURE_SIZE && verify(null, message, keyObject, signature),
  };
}

/** The verifier key string for an Ed25519 public key (32 raw bytes or a KeyObject). */
export function formatVerifierKey(name: string, publicKey: Uint8Array | KeyObject): string {
  if (!isValidKeyName(name)) throw new NoteError('MALFORMED_KEY', `key name ${JSON.stringify(name)} must be non-empty, without spaces or "+"`);
  const raw = publicKey instanceof Uint8Array ? Buffer.from(publicKey) : rawPublicKey(publicKey);
  if (raw.length !== 32) throw new NoteError('MALFORMED_KEY', `an Ed25519 public key is 32 bytes; received ${raw.length}`);
  return `${name}+${formatKeyId(noteKeyId(name, raw))}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;
}

/**
 * A signer from an Ed25519 private key: a node:crypto KeyObject (from a PEM file or the
 * vault) or the Go/C2SP signer key string `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ 32-byte seed)>`.
 */
export function createNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteError('MALFORMED_KEY', `key name ${JSON.stringify(name)} must be non-empty, without spaces or "+"`);
  if (privateKey?.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new NoteError('MALFORMED_KEY', `signer ${name}: need an Ed25519 private KeyObject; received ${privateKey?.type ?? typeof privateKey} ${privateKey?.asymmetricKeyType ?? ''}`.trim());
  }
  const keyId = noteKeyId(name, rawPublicKey(createPublicKey(privateKey)));
  return { name, keyId, sign: (message) => sign(null, message, privateKey) };
}

export function parseSignerKey(signerKey: string): NoteSigner {
  const fail = (what: string) => new NoteError('MALFORMED_KEY', `signer key: ${what}; expected PRIVATE+KEY+<name>+<8 hex digits>+<base64 of 0x01 and a 32-byte seed>`);
  if (typeof signerKey !== 'string' || !signerKey.startsWith('PRIVATE+KEY+')) throw fail('does not start with PRIVATE+KEY+');
  const parts = signerKey.slice('PRIVATE+KEY+'.length).split('+');
  const [name, idHex] = parts;
  if (parts.length < 3 || !isValidKeyName(name)) throw fail('no valid key name');
  if (!/^[0-9a-f]{8}$/.test(idHex ?? '')) throw fail('the key ID is not 8 lowercase hex digits');
  const key = decodeBase64Strict(parts.slice(2).join('+'));
  if (!key || key[0] !== ED25519 || key.length !== 33) throw fail('the key is not base64 of 0x01 and a 32-byte Ed25519 seed');
  const signer = createNoteSigner(name, createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key.subarray(1)]), format: 'der', type: 'pkcs8' }));
  // Never echo the key itself: only whether its ID matches.
  if (formatKeyId(signer.keyId) !== idHex) throw fail(`the key ID ${idHex} does not match the key (its public key hashes to ${formatKeyId(signer.keyId)})`);
  return signer;
}

/** A new Ed25519 key pair as signer and verifier key strings (the signer key is secret). */
export function generateNoteKeys(name: string): { signerKey: string; verifierKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const verifierKey = formatVerifierKey(name, publicKey);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const keyIdHex = verifierKey.split('+')[1] as string;
  return { signerKey: `PRIVATE+KEY+${name}+${keyIdHex}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`, verifierKey };
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey?.asymmetricKeyType !== 'ed25519') throw new NoteError('MALFORMED_KEY', 'need an Ed25519 key');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function describeKey(name: string | undefined): string {
  return isValidKeyName(name) ? JSON.stringify(name) : '(unnamed)';
}
