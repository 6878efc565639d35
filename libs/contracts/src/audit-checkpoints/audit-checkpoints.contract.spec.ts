import { exampleAuditCheckpoint, violationOf } from '../testing';
import { auditCheckpointsContract as contract } from './audit-checkpoints.contract';

const checkpoint = (patch: Record<string, unknown> = {}) => ({ ...exampleAuditCheckpoint(), ...patch });
const HASH = Buffer.alloc(32, 7).toString('base64');

describe('audit.checkpoints contract (Vigil-internal)', () => {
  it.each([
    ['a partition log', exampleAuditCheckpoint()],
    ['the global log', exampleAuditCheckpoint({ logId: 'global', origin: 'vigil.dev/audit/global' })],
    ['an empty tree', exampleAuditCheckpoint({ treeSize: 0, rootHash: HASH })],
    ['a note with an extension line and two signatures', exampleAuditCheckpoint({ treeSize: 3, rootHash: HASH, note: `vigil.dev/audit/audit.events.v1-0\n3\n${HASH}\nts 1772461800\n\n\u2014 vigil.dev/audit AbCd+/0=\n\u2014 witness.example Zm9v\n` })],
  ])('accepts %s', (_name, input) => {
    expect(contract.parse(input)).toEqual(input);
  });

  it('keys checkpoints by logId', () => {
    expect(contract.keyOf(contract.parse(exampleAuditCheckpoint({ logId: 'audit.events.v1-3' })))).toBe('audit.events.v1-3');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing origin', checkpoint({ origin: undefined }), 'origin', /^is required$/],
    ['an origin of two lines', checkpoint({ origin: 'a\nb' }), 'origin', /must be a single line/],
    ['a logId that is neither global nor topic-partition', checkpoint({ logId: 'audit.events.v1' }), 'logId', /"global" or a source topic-partition/],
    ['a negative treeSize', checkpoint({ treeSize: -1 }), 'treeSize', /must be >= 0/],
    ['a fractional treeSize', checkpoint({ treeSize: 1.5 }), 'treeSize', /must be an integer/],
    ['a treeSize beyond 2^53', checkpoint({ treeSize: 2 ** 60 }), 'treeSize', /must be <= 9007199254740991/],
    ['a hex rootHash', checkpoint({ rootHash: 'ab'.repeat(32) }), 'rootHash', /base64 of a 32-byte hash/],
    ['a base64 rootHash of 31 bytes', checkpoint({ rootHash: Buffer.alloc(31).toString('base64') }), 'rootHash', /base64 of a 32-byte hash/],
    ['a non-canonical base64 rootHash', checkpoint({ rootHash: `${'A'.repeat(42)}B=` }), 'rootHash', /base64 of a 32-byte hash/],
    ['an unparsable timestamp', checkpoint({ timestamp: 'today' }), 'timestamp', /RFC 3339/],
    ['a note for another tree size', exampleAuditCheckpoint({ note: exampleAuditCheckpoint({ treeSize: 41 }).note }), 'note', /must start with the checkpoint body/],
    ['a note without signatures', checkpoint({ note: `vigil.dev/audit/audit.events.v1-0\n42\n${exampleAuditCheckpoint().rootHash}\n` }), 'note', /blank line between the checkpoint body and its signatures/],
    ['a note whose signature line is malformed', exampleAuditCheckpoint({ note: `${exampleAuditCheckpoint().note.split('\n\n')[0]}\n\n- vigil AAAA\n` }), 'note', /signature lines of the form/],
    ['a note without the final newline', exampleAuditCheckpoint({ note: exampleAuditCheckpoint().note.trimEnd() }), 'note', /must end with a newline/],
  ])('rejects %s', (_name, input, field, problem) => {
    const violation = violationOf(contract, input);
    expect([violation.field, violation.problem]).toEqual([field, expect.stringMatching(problem)]);
  });

  it('does not compare the note with fields that are themselves invalid', () => {
    const violation = violationOf(contract, checkpoint({ rootHash: 'nope' }));
    expect(violation.field).toBe('rootHash');
    expect(violation.others).toEqual([]);
  });
});
