import { z } from 'zod';
import { nonNegativeInteger, patterned, text, timestamp } from '../validation/fields.schema';
import type { AuditCheckpoint } from './audit-checkpoint.type';

const LOG_ID = /^(global|.+-\d+)$/;
// Standard base64 of exactly 32 bytes: 43 characters, the last carrying 4 bits, then one '='.
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
// C2SP signed-note signature line: em dash, key name, base64 of key hash + signature.
const SIGNATURE_LINE = /^\u2014 \S+ [A-Za-z0-9+/]+={0,2}$/;

/** audit.checkpoints event (Vigil-internal). The note must agree with the fields beside it. */
export const auditCheckpointSchema: z.ZodType<AuditCheckpoint> = z
  .object({
    origin: text().refine((origin) => !origin.includes('\n'), { message: 'must be a single line', abort: true }),
    logId: patterned(LOG_ID, '"global" or a source topic-partition such as audit.events.v1-0'),
    treeSize: nonNegativeInteger(),
    rootHash: patterned(BASE64_32_BYTES, 'standard base64 of a 32-byte hash (44 characters ending in =)'),
    timestamp: timestamp(),
    note: text(),
  })
  .superRefine((checkpoint, ctx) => {
    const problem = noteProblem(checkpoint);
    if (problem) ctx.addIssue({ code: 'custom', path: ['note'], message: problem });
  });

function noteProblem({ origin, treeSize, rootHash, note }: AuditCheckpoint): string | undefined {
  if (!note.startsWith(`${origin}\n${treeSize}\n${rootHash}\n`)) {
    return 'must start with the checkpoint body: the origin, treeSize and rootHash fields, one per line';
  }
  const blank = note.indexOf('\n\n');
  if (blank < 0) return 'must have a blank line between the checkpoint body and its signatures';
  const signatures = note.slice(blank + 2);
  if (!signatures.endsWith('\n')) return 'must end with a newline';
  const lines = signatures.slice(0, -1).split('\n');
  if (!lines.every((line) => SIGNATURE_LINE.test(line))) {
    return 'must end with signature lines of the form "\u2014 <key name> <base64 signature>"';
  }
  return undefined;
}
