import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { GLOBAL_LOG_ID, type GlobalHeads } from '../checkpoint/global-checkpointer';
import { originOf } from '../log/log-id';
import { BUNDLE_FORMAT, type BundleHeader, type BundleLine } from './bundle';
import { LogVerifier, VerificationFailure, type TrustedKeys } from './log-verifier';
import type { VerifyOptions, VerifyReport } from './verify-report';

export interface BundleVerifyReport extends VerifyReport {
  /** Partition heads listed by global leaves that were checked against the bundle's own checkpoints. */
  crossChecked: number;
}

/**
 * Verifies an export bundle (one or more logs' parts, JSON lines) the same way as a database,
 * trusting only `key`. A part that starts past entry 0 starts from its compact range, which
 * must hash to the root the first checkpoint (of exactly that size) signs.
 *
 * The global log is cross-checked as in database mode, once the whole bundle is read (parts
 * come in any order): each global leaf's signed list of partition heads must name, for every
 * partition log the bundle holds from that size on, a checkpoint of exactly that size signing
 * exactly that root. Heads of logs the bundle does not hold, or below the size a partial part
 * starts at, cannot be checked from the bundle and are left out (`crossChecked` counts the rest).
 */
export async function verifyBundle(file: string, key: TrustedKeys, options: VerifyOptions = {}): Promise<BundleVerifyReport> {
  const report: BundleVerifyReport = { logs: [], failures: [], entries: 0, crossChecked: 0 };
  options.onStart?.(undefined);
  // Per verified partition part: where it starts and the root each of its checkpoints signs.
  const parts = new Map<string, { start: number; roots: Map<number, string> } | 'failed'>();
  const globalLeaves: Array<{ seq: number; heads: GlobalHeads }> = [];
  let current: { verifier: LogVerifier; header: BundleHeader; startSigned: boolean } | undefined;
  let failed: string | undefined;
  const close = () => {
    if (!current || failed === current.header.logId) return;
    try {
      if (!current.startSigned) throw new VerificationFailure(current.header.logId, { treeSize: current.header.start.size }, 'the bundle starts here but carries no checkpoint of this size to authenticate its starting state');
      report.logs.push(current.verifier.finish());
      parts.set(current.header.logId, { start: current.header.start.size, roots: current.verifier.signedRoots });
    } catch (error) {
      if (!(error instanceof VerificationFailure)) throw error;
      report.failures.push(error);
      parts.set(current.header.logId, 'failed');
    }
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (!text) continue;
    let line: BundleLine;
    try {
      line = JSON.parse(text) as BundleLine;
    } catch {
      throw new Error(`${file}:${lineNo}: not a JSON line; is this a bundle from GET /v1/logs/<logId>/export?`);
    }
    if (line.type === 'log') {
      close();
      failed = undefined;
      if (line.format !== BUNDLE_FORMAT) throw new Error(`${file}:${lineNo}: bundle format ${JSON.stringify(line.format)}; this verifier reads ${BUNDLE_FORMAT}`);
      current = { header: line, verifier: new LogVerifier(line.logId, line.origin, key, { size: line.start.size, hashes: line.start.hashes.map((h) => Buffer.from(h, 'base64')) }), startSigned: line.start.size === 0 };
      if (line.logId === GLOBAL_LOG_ID) {
        current.verifier.checkLeaf = (leaf) => {
          const heads = leaf.event as GlobalHeads;
          if (heads?.type !== 'partition-heads' || !Array.isArray(heads.logs)) return 'is not a list of partition heads';
          globalLeaves.push({ seq: leaf.seq, heads });
          return undefined;
        };
      }
      const expected = originOf(options.originPrefix ?? 'vigil.audit/', line.logId);
      if (line.origin !== expected) fail(new VerificationFailure(line.logId, {}, `origin is "${line.origin}", expected "${expected}"`));
      continue;
    }
    if (!current) throw new Error(`${file}:${lineNo}: a ${line.type} line before any log header`);
    if (failed === current.header.logId) continue;
    try {
      if (line.type === 'checkpoint') {
        if (!current.startSigned && line.treeSize !== current.header.start.size) {
          throw new VerificationFailure(current.header.logId, { treeSize: current.header.start.size }, 'the bundle starts here but carries no checkpoint of this size to authenticate its starting state');
        }
        current.startSigned = true;
        current.verifier.checkpoint({ treeSize: line.treeSize, rootHash: Buffer.from(line.rootHash, 'base64'), note: line.note });
      } else if (line.type === 'entry') {
        if (!current.startSigned) throw new VerificationFailure(current.header.logId, { treeSize: current.header.start.size }, 'the bundle starts here but carries no checkpoint of this size to authenticate its starting state');
        current.verifier.entry({ seq: line.seq, leafHash: Buffer.from(line.leafHash, 'base64'), entry: Buffer.from(line.entry, 'base64') });
        report.entries++;
        if (report.entries % 5000 === 0) options.onProgress?.(report.entries);
      } else {
        throw new Error(`${file}:${lineNo}: unknown line type ${JSON.stringify((line as { type: unknown }).type)}`);
      }
    } catch (error) {
      if (!(error instanceof VerificationFailure)) throw error;
      fail(error);
    }
  }
  close();
  crossCheckGlobal();
  options.onProgress?.(report.entries);
  return report;

  function crossCheckGlobal() {
    if (parts.get(GLOBAL_LOG_ID) === 'failed') return;
    for (const { seq, heads } of globalLeaves) {
      for (const head of heads.logs) {
        const part = parts.get(head.logId);
        if (part === undefined || part === 'failed' || head.treeSize < part.start) continue;
        const root = part.roots.get(head.treeSize);
        const problem =
          root === undefined
            ? `lists log ${head.logId} at size ${head.treeSize}, where that log has no checkpoint in this bundle (its checkpoints were removed or rewritten)`
            : root !== head.rootHash
              ? `lists log ${head.logId} at size ${head.treeSize} with root ${head.rootHash}, but that log's checkpoint signs ${root} (the log was rewritten)`
              : undefined;
        if (problem) {
          report.failures.push(new VerificationFailure(GLOBAL_LOG_ID, { seq }, problem));
          report.logs = report.logs.filter((log) => log.logId !== GLOBAL_LOG_ID);
          return;
        }
        report.crossChecked++;
      }
    }
  }

  function fail(error: VerificationFailure) {
    report.failures.push(error);
    failed = error.logId;
  }
}
