import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { NoteVerifier } from '@vigil/merkle';
import { originOf } from '../log/log-id';
import { BUNDLE_FORMAT, type BundleHeader, type BundleLine } from './bundle';
import { LogVerifier, VerificationFailure } from './log-verifier';
import type { VerifyOptions, VerifyReport } from './verify-report';

/**
 * Verifies an export bundle (one or more logs' parts, JSON lines) the same way as a database,
 * trusting only `key`. A part that starts past entry 0 starts from its compact range, which
 * must hash to the root the first checkpoint (of exactly that size) signs.
 */
export async function verifyBundle(file: string, key: NoteVerifier | string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { logs: [], failures: [], entries: 0 };
  options.onStart?.(undefined);
  let current: { verifier: LogVerifier; header: BundleHeader; startSigned: boolean } | undefined;
  let failed: string | undefined;
  const close = () => {
    if (!current || failed === current.header.logId) return;
    try {
      if (!current.startSigned) throw new VerificationFailure(current.header.logId, { treeSize: current.header.start.size }, 'the bundle starts here but carries no checkpoint of this size to authenticate its starting state');
      report.logs.push(current.verifier.finish());
    } catch (error) {
      if (!(error instanceof VerificationFailure)) throw error;
      report.failures.push(error);
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
  options.onProgress?.(report.entries);
  return report;

  function fail(error: VerificationFailure) {
    report.failures.push(error);
    failed = error.logId;
  }
}
