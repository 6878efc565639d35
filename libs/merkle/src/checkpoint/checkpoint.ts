import { HASH_SIZE } from '../hashing/rfc6962';
import { isTreeInteger } from '../tree/tree-math';
import { decodeBase64Strict, decodeNoteText } from '../note/note-encoding';
import { NoteError } from '../note/note-error';

/** The tree head a log signs (c2sp.org/tlog-checkpoint): which log, how many leaves, which root. */
export interface Checkpoint {
  /** Unique name of the log, e.g. `vigil.example/audit/market.orders.v1/3`. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** RFC 6962 root of the tree of `size` leaves (32 bytes). */
  readonly rootHash: Buffer;
  /** Optional opaque lines after the root (not recommended by the spec; none by default). */
  readonly extensions: readonly string[];
}

/** The checkpoint note text: origin, size, base64 root, extension lines, each ending in a newline. */
export function formatCheckpoint(checkpoint: { origin: string; size: number; rootHash: Uint8Array; extensions?: readonly string[] }): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint ?? {};
  if (!isTreeInteger(size)) throw new NoteError('MALFORMED_CHECKPOINT', `size must be an integer in [0, 2^53); received ${String(size)}`);
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) throw new NoteError('MALFORMED_CHECKPOINT', `rootHash must be ${HASH_SIZE} bytes`);
  for (const [field, line] of [['origin', origin], ...extensions.map((line, i) => [`extensions[${i}]`, line])] as Array<[string, unknown]>) {
    const problem = lineProblem(line);
    if (problem) throw new NoteError('MALFORMED_CHECKPOINT', `${field} ${problem}`);
  }
  return [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses checkpoint note text strictly (it should come from verifyNote). Throws NoteError MALFORMED_CHECKPOINT. */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (what: string) => new NoteError('MALFORMED_CHECKPOINT', `${what}; a checkpoint is "<origin>\\n<size>\\n<base64 root>\\n" and optional non-empty extension lines`);
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('the text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad(`only ${lines.length} line(s)`);
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  const empty = lines.findIndex((line) => line.length === 0);
  if (empty >= 0) throw bad(`line ${empty + 1} is empty`);
  const problem = lineProblem(text.slice(0, -1).replaceAll('\n', ''));
  if (problem) throw bad(`the text ${problem}`);
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine)) throw bad(`the size line ${JSON.stringify(sizeLine.slice(0, 30))} is not a decimal number without leading zeros`);
  const size = Number(sizeLine);
  if (!isTreeInteger(size)) throw bad(`the size ${sizeLine} is beyond 2^53 - 1, the largest this implementation handles`);
  const rootHash = decodeBase64Strict(rootLine);
  if (!rootHash || rootHash.length !== HASH_SIZE) throw bad(`the root line is not canonical base64 of a ${HASH_SIZE}-byte hash`);
  return { origin, size, rootHash, extensions };
}

function lineProblem(line: unknown): string | undefined {
  if (typeof line !== 'string' || line.length === 0) return 'must be a non-empty string';
  if (line.includes('\n')) return 'must not contain a newline';
  const decoded = decodeNoteText(line);
  return 'problem' in decoded ? decoded.problem.replace('the note', 'it') : undefined;
}
