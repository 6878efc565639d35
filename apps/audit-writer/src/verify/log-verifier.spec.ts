import { exampleOrderEvent } from '@vigil/contracts';
import { CompactRange, generateNoteKeys, leafHash, parseSignerKey, signCheckpoint } from '@vigil/merkle';
import { CheckpointSigning } from '../checkpoint/checkpoint-signing';
import { checkpointKeyFrom } from '../checkpoint/signing-key';
import { encodeLeaf } from '../log/leaf-encoding';
import { LogVerifier, VerificationFailure, type CheckpointRecord, type EntryRecord } from './log-verifier';

// The verifier's rules on a log built in memory: what passes, and the first problem named for
// each kind of damage (the database and bundle readers only feed it).
const LOG = 'market.orders.v1-2';
const ORIGIN = `vigil.audit/${LOG}`;
const keys = generateNoteKeys('vigil.audit.unit');
const signer = parseSignerKey(keys.signerKey);

function buildLog(size: number, checkpointAt: number[]) {
  const entries: EntryRecord[] = [];
  const checkpoints: CheckpointRecord[] = [];
  const range = CompactRange.empty();
  const starts = new Map<number, Buffer[]>();
  for (let seq = 0; seq < size; seq++) {
    starts.set(seq, range.hashes());
    const entry = encodeLeaf({ log: LOG, seq, arrivedAt: '2026-12-03T17:00:00.000Z', source: { topic: 'market.orders.v1', partition: 2, offset: 100 + seq }, event: exampleOrderEvent({ eventId: `e${seq}` }) });
    range.append(leafHash(entry));
    entries.push({ seq, entry, leafHash: leafHash(entry) });
    if (checkpointAt.includes(seq + 1)) checkpoints.push({ treeSize: seq + 1, rootHash: range.rootHash(), note: signCheckpoint({ origin: ORIGIN, size: seq + 1, rootHash: range.rootHash() }, [signer]) });
  }
  starts.set(size, range.hashes());
  return { entries, checkpoints, starts };
}

function run(entries: EntryRecord[], checkpoints: CheckpointRecord[], start?: { size: number; hashes: Buffer[] }) {
  const verifier = new LogVerifier(LOG, ORIGIN, keys.verifierKey, start);
  for (const c of checkpoints) verifier.checkpoint(c);
  for (const e of entries) verifier.entry(e);
  return verifier.finish();
}

const failureOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof VerificationFailure) return error.message;
    throw error;
  }
  throw new Error('expected a VerificationFailure');
};

describe('LogVerifier', () => {
  const log = buildLog(20, [3, 7, 20]);

  it('accepts an intact log and counts its checkpoints', () => {
    expect(run(log.entries, log.checkpoints)).toEqual({ logId: LOG, size: 20, checkpoints: 3 });
  });

  it('accepts an empty log with no checkpoint', () => {
    expect(run([], [])).toEqual({ logId: LOG, size: 0, checkpoints: 0 });
  });

  it('verifies a part that starts from a signed compact range', () => {
    expect(run(log.entries.slice(7), log.checkpoints.slice(1), { size: 7, hashes: log.starts.get(7)! })).toEqual({ logId: LOG, size: 20, checkpoints: 2 });
  });

  it.each<[string, () => [EntryRecord[], CheckpointRecord[]], string]>([
    ['a missing entry', () => [log.entries.filter((e) => e.seq !== 5), log.checkpoints], `log ${LOG}, entry 5: missing: the next stored entry is 6`],
    ['a repeated entry', () => [[...log.entries.slice(0, 6), log.entries[5]!, ...log.entries.slice(6)], log.checkpoints], `log ${LOG}, entry 5: stored twice (seq 5 appears again after entry 5)`],
    ['an entry at the wrong place', () => [log.entries.map((e) => (e.seq === 4 ? { ...log.entries[9]!, seq: 4 } : e)), log.checkpoints], `log ${LOG}, entry 4: holds the leaf of log ${LOG} entry 9 (entries moved, swapped or copied)`],
    ['a stored leaf hash that does not match', () => [log.entries.map((e) => (e.seq === 2 ? { ...e, leafHash: Buffer.alloc(32) } : e)), log.checkpoints], `log ${LOG}, entry 2: stored leaf_hash is not SHA-256(0x00 ‖ entry): the entry or its hash was changed`],
    ['entries past the last checkpoint', () => [log.entries, log.checkpoints.slice(0, 2)], `log ${LOG}, entry 7: entries 7..19 are not covered by any signed checkpoint (appended outside the writer)`],
    ['a checkpoint past the last entry', () => [log.entries.slice(0, 18), log.checkpoints], `log ${LOG}, checkpoint at size 20: signs 20 entries but the log has only 18: entries 18..19 are missing`],
    ['checkpoints out of order', () => [log.entries, [log.checkpoints[1]!, log.checkpoints[0]!, log.checkpoints[2]!]], `log ${LOG}, checkpoint at size 3: checkpoints out of order or repeated (after one at size 7)`],
    ['a stored root that differs from the note', () => [log.entries, log.checkpoints.map((c, i) => (i === 1 ? { ...c, rootHash: Buffer.alloc(32, 9) } : c))], `log ${LOG}, checkpoint at size 7: stored root_hash differs from the root its note signs`],
  ])('names %s', (_name, build, message) => {
    const [entries, checkpoints] = build();
    expect(failureOf(() => run(entries, checkpoints))).toBe(message);
  });

  it('names a checkpoint signed by another key or for another log', () => {
    const other = parseSignerKey(generateNoteKeys('vigil.audit.unit').signerKey);
    const byOther = { ...log.checkpoints[0]!, note: signCheckpoint({ origin: ORIGIN, size: 3, rootHash: log.checkpoints[0]!.rootHash! }, [other]) };
    expect(failureOf(() => run(log.entries, [byOther, ...log.checkpoints.slice(1)]))).toMatch(new RegExp(`^log ${LOG}, checkpoint at size 3: signature check failed \\(NO_TRUSTED_SIGNATURE\\)`));
    const otherLog = { ...log.checkpoints[0]!, note: signCheckpoint({ origin: 'vigil.audit/market.orders.v1-3', size: 3, rootHash: log.checkpoints[0]!.rootHash! }, [signer]) };
    expect(failureOf(() => run(log.entries, [otherLog, ...log.checkpoints.slice(1)]))).toMatch(/checkpoint at size 3: signature check failed \(ORIGIN_MISMATCH\)/);
  });

  it('names a validly signed checkpoint whose root is not the entries\' root (a fork or rewrite)', () => {
    // Entry 5 rewritten consistently (a valid leaf of this log at seq 5, its hash stored with it):
    // only the signed roots from size 7 on can tell.
    const entry = encodeLeaf({ log: LOG, seq: 5, arrivedAt: '2026-12-03T17:00:00.000Z', source: { topic: 'market.orders.v1', partition: 2, offset: 105 }, event: exampleOrderEvent({ eventId: 'e5', price: 1 }) });
    const rewritten = log.entries.map((e) => (e.seq === 5 ? { seq: 5, entry, leafHash: leafHash(entry) } : e));
    expect(failureOf(() => run(rewritten, log.checkpoints))).toMatch(
      new RegExp(`^log ${LOG}, checkpoint at size 7: signs root \\S+ but entries 0..6 hash to \\S+: an entry before 7 \\(after the previous checkpoint\\) was changed, or the log forked`),
    );
  });
});

describe('LogVerifier across a signing-key rotation', () => {
  const oldKeys = generateNoteKeys('vigil.audit.unit');
  const newKeys = generateNoteKeys('vigil.audit.unit');

  /** A 12-entry log with checkpoints at 3, 6, 9, 12 signed by `signerAt(size)`. */
  function logSignedBy(signerAt: (size: number, checkpoint: { origin: string; size: number; rootHash: Buffer }) => string) {
    const entries: EntryRecord[] = [];
    const checkpoints: CheckpointRecord[] = [];
    const range = CompactRange.empty();
    for (let seq = 0; seq < 12; seq++) {
      const entry = encodeLeaf({ log: LOG, seq, arrivedAt: '2026-12-04T10:00:00.000Z', source: { topic: 'market.orders.v1', partition: 2, offset: seq }, event: exampleOrderEvent({ eventId: `r${seq}` }) });
      range.append(leafHash(entry));
      entries.push({ seq, entry });
      if ((seq + 1) % 3 === 0) checkpoints.push({ treeSize: seq + 1, note: signerAt(seq + 1, { origin: ORIGIN, size: seq + 1, rootHash: range.rootHash() }) });
    }
    return { entries, checkpoints };
  }
  const verify = (log: ReturnType<typeof logSignedBy>, trusted: string[]) => {
    const verifier = new LogVerifier(LOG, ORIGIN, trusted);
    for (const c of log.checkpoints) verifier.checkpoint(c);
    for (const e of log.entries) verifier.entry(e);
    return { ...verifier.finish(), learnedKeys: verifier.learnedKeys };
  };

  // The writer's CheckpointSigning rotated after size 6: 9 and 12 carry the handover, cosigned.
  const signing = new CheckpointSigning(checkpointKeyFrom(oldKeys.signerKey));
  const handedOver = logSignedBy((size, checkpoint) => {
    if (size === 9) signing.rotate(checkpointKeyFrom(newKeys.signerKey));
    return signing.sign(checkpoint);
  });

  // The same log after a restart once the handover at 9 was written: 12 is by the new key alone.
  const restarted = logSignedBy((size, checkpoint) =>
    size <= 6 ? signCheckpoint(checkpoint, [parseSignerKey(oldKeys.signerKey)]) : size === 9 ? handedOver.checkpoints[2]!.note : signCheckpoint(checkpoint, [parseSignerKey(newKeys.signerKey)]),
  );

  it('follows a handover: trusting only the old key, the checkpoints after it verify by the new key it names', () => {
    expect(handedOver.checkpoints[2]!.note).toContain(`vigil-key-handover ${newKeys.verifierKey}\n`);
    expect(verify(handedOver, [oldKeys.verifierKey])).toEqual({ logId: LOG, size: 12, checkpoints: 4, learnedKeys: [newKeys.verifierKey] });
  });

  it('after a restart (the old key no longer cosigns), a log handed over before still verifies from the old key alone', () => {
    expect(verify(restarted, [oldKeys.verifierKey])).toMatchObject({ size: 12, checkpoints: 4 });
  });

  it('stops at the first checkpoint by a key it was never handed, and says how to go on', () => {
    const switched = logSignedBy((size, checkpoint) => signCheckpoint(checkpoint, [parseSignerKey(size <= 6 ? oldKeys.signerKey : newKeys.signerKey)]));
    expect(failureOf(() => verify(switched, [oldKeys.verifierKey]))).toMatch(
      new RegExp(`^log ${LOG}, checkpoint at size 9: signature check failed \\(NO_TRUSTED_SIGNATURE\\).*pass its new verifier key too\\)$`),
    );
    // Both keys given (--key twice): the same log passes.
    expect(verify(switched, [oldKeys.verifierKey, newKeys.verifierKey])).toMatchObject({ size: 12, checkpoints: 4, learnedKeys: [] });
  });

  it('refuses a handover line that the named key did not cosign (a forged hand-over by the old key alone)', () => {
    const forged = logSignedBy((size, checkpoint) =>
      signCheckpoint(size === 9 ? { ...checkpoint, extensions: [`vigil-key-handover ${newKeys.verifierKey}`] } : checkpoint, [parseSignerKey(oldKeys.signerKey)]),
    );
    expect(failureOf(() => verify(forged, [oldKeys.verifierKey]))).toMatch(new RegExp(`^log ${LOG}, checkpoint at size 9: hands the log over to key vigil.audit.unit\\+[0-9a-f]{8}, but that key's signature on it does not check \\(NO_TRUSTED_SIGNATURE\\)`));
  });

  it('resumes with the keys it learned (the scheduled verifier\'s incremental rounds)', () => {
    // A resumed round that starts at checkpoint 12 (the new key's alone) must already trust that key.
    const first = new LogVerifier(LOG, ORIGIN, [oldKeys.verifierKey]);
    for (const c of restarted.checkpoints) first.checkpoint(c);
    for (const e of restarted.entries) first.entry(e);
    const state = first.state();
    expect(state.learnedKeys).toEqual([newKeys.verifierKey]);
    const resumed = new LogVerifier(LOG, ORIGIN, [oldKeys.verifierKey], state);
    resumed.checkpoint(restarted.checkpoints[3]!);
    expect(resumed.finish()).toMatchObject({ size: 12, checkpoints: 1 });
    const forgetful = new LogVerifier(LOG, ORIGIN, [oldKeys.verifierKey], { ...state, learnedKeys: [] });
    expect(failureOf(() => forgetful.checkpoint(restarted.checkpoints[3]!))).toMatch(/checkpoint at size 12: signature check failed \(NO_TRUSTED_SIGNATURE\)/);
  });
});
