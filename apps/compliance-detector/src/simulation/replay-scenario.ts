import { PassThrough } from 'node:stream';
import { complianceAlertsContract, type ComplianceAlert } from '@vigil/contracts';
import type Redis from 'ioredis';
import { runReplay, type ReplaySummary } from '../cli/replay';
import type { RuleBook } from '../config/rule-book';

/**
 * Replays an events file through `vigil replay`'s code path (the live Detector on Redis,
 * under its own key prefix) and returns the alerts it printed, each checked against
 * compliance.alerts.v1, one per fingerprint: what the accuracy test, the golden cases and the
 * benchmark judge.
 */
export async function replayAlerts(options: { file: string; book: RuleBook; redis: Redis; keyPrefix: string; batchSize?: number }): Promise<{ alerts: ComplianceAlert[]; resent: number; summary: ReplaySummary; errors: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const alerts: ComplianceAlert[] = [];
  const errors: string[] = [];
  let rest = '';
  out.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') alerts.push(complianceAlertsContract.parse(JSON.parse(line)));
  });
  err.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const summary = await runReplay({ file: options.file, book: options.book, redis: options.redis, keyPrefix: options.keyPrefix, out, err, ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
  out.end();
  if (rest.trim() !== '') alerts.push(complianceAlertsContract.parse(JSON.parse(rest)));
  // A re-sent alert has the same fingerprint (receivers dedupe on it): judged once, counted apart.
  const unique = [...new Map(alerts.map((a) => [a.fingerprint, a])).values()];
  return { alerts: unique, resent: alerts.length - unique.length, summary, errors: errors.join('') };
}
