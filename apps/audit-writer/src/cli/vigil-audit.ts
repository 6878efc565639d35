/* eslint-disable no-console -- a command-line tool: its results go to stdout */
/**
 * `vigil audit <command>`: the offline tools of the audit log (README.md "Offline verifier").
 *
 *   verify  --key <verifier key | @file> (--database <url> | --bundle <file>) [--origin-prefix p] [--report-incidents]
 *           (--report-incidents: one AUDIT_INTEGRITY_VIOLATION per failing log on security.incidents.v1,
 *            to the Kafka named by VIGIL_KAFKA_BROKERS / VIGIL_TOPIC_PREFIX / VIGIL_SCHEMA_REGISTRY_URL)
 *   export  --database <url> [--log <logId>] [--from n] [--to n] --out <file>
 *   keygen  --name <key name> --out <signer key file>
 *
 * Exit codes: 0 verified, 1 verification failed (the first bad entry of each log is named),
 * 2 usage or I/O error.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { securityIncidentsContract } from '@vigil/contracts';
import { createEventProducer } from '@vigil/kafka';
import { generateNoteKeys, parseVerifierKey } from '@vigil/merkle';
import { Pool } from 'pg';
import { LogReader } from '../log/log-reader';
import { writeBundle } from '../verify/bundle';
import { integrityIncident } from '../verify/integrity-incident';
import { verifyBundle } from '../verify/verify-bundle';
import { verifyDatabase } from '../verify/verify-database';
import type { VerifyReport } from '../verify/verify-report';
import { progressBar } from './progress-bar';

const USAGE = `usage: vigil audit verify --key <verifier key | @file> [--key ...] (--database <url> | --bundle <file>) [--origin-prefix <prefix>] [--report-incidents]
       vigil audit export --database <url> [--log <logId>] [--from <n>] [--to <n>] --out <file>
       vigil audit keygen --name <key name> --out <signer key file>`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'verify') return await verify(rest);
    if (command === 'export') return await exportBundle(rest);
    if (command === 'keygen') return keygen(rest);
    throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  } catch (error) {
    console.error(error instanceof UsageError ? `vigil audit: ${error.message}\n${USAGE}` : `vigil audit: ${(error as Error).message}`);
    return 2;
  }
}

function options(args: string[], spec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>) {
  try {
    return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values as Record<string, string | undefined> & { key?: string[] };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function verify(args: string[]): Promise<number> {
  const opts = options(args, {
    // Repeatable: the log's keys over its life (a handover line in a checkpoint teaches the verifier the next key by itself).
    key: { type: 'string', multiple: true },
    database: { type: 'string' },
    bundle: { type: 'string' },
    'origin-prefix': { type: 'string' },
    'report-incidents': { type: 'boolean' },
  });
  if (!opts.key?.length) throw new UsageError('--key is required: the log\'s verifier key (<name>+<id>+<base64>) or @<file holding it>');
  if (Boolean(opts['database']) === Boolean(opts['bundle'])) throw new UsageError('give exactly one of --database <url> and --bundle <file>');
  const key = opts.key.map((given, i) => {
    const keyText = given.startsWith('@') ? readFileSync(given.slice(1), 'utf8').trim() : given;
    try {
      return parseVerifierKey(keyText);
    } catch (error) {
      throw new UsageError(`--key${opts.key!.length > 1 ? ` #${i + 1}` : ''}: ${(error as Error).message}`);
    }
  });
  const bar = progressBar();
  const progress = { originPrefix: opts['origin-prefix'], onStart: (total: number | undefined) => bar.start(total), onProgress: (done: number) => bar.update(done) };
  const started = Date.now();
  const report = opts['database'] ? await verifyDatabase(opts['database'], key, progress) : await verifyBundle(opts['bundle']!, key, progress);
  bar.end(report.entries);
  print(report, Date.now() - started);
  if (report.failures.length && opts['report-incidents']) await reportIncidents(report);
  return report.failures.length ? 1 : 0;
}

/** One AUDIT_INTEGRITY_VIOLATION per failing log on security.incidents.v1, to the Kafka of the VIGIL_* variables. */
async function reportIncidents(report: VerifyReport): Promise<void> {
  const env = process.env;
  const producer = createEventProducer({
    brokers: (env['VIGIL_KAFKA_BROKERS'] || '127.0.0.1:9092').split(',').map((b) => b.trim()),
    clientId: 'vigil-audit-verify',
    topicPrefix: env['VIGIL_TOPIC_PREFIX'] ?? '',
    registryUrl: env['VIGIL_SCHEMA_REGISTRY_URL'] || undefined,
  });
  try {
    await producer.send(
      securityIncidentsContract,
      report.failures.map((f) => integrityIncident({ logId: f.logId, problem: f.message.replace(/^log \S+, /, ''), seq: f.where.seq, treeSize: f.where.treeSize, detectedBy: 'vigil audit verify' })),
    );
    console.log(`reported ${report.failures.length} AUDIT_INTEGRITY_VIOLATION incident(s) on ${env['VIGIL_TOPIC_PREFIX'] ?? ''}security.incidents.v1`);
  } finally {
    await producer.close();
  }
}

function print(report: VerifyReport, ms: number) {
  for (const log of report.logs) console.log(`ok   ${log.logId}: ${log.size} entries, ${log.checkpoints} checkpoints verified`);
  for (const failure of report.failures) console.log(`FAIL ${failure.message}`);
  if ('crossChecked' in report) console.log(`global log: ${report.crossChecked} partition heads cross-checked against the bundle's partition checkpoints`);
  const rate = Math.round(report.entries / Math.max(ms / 1000, 0.001));
  console.log(
    report.failures.length
      ? `verification FAILED: ${report.failures.length} of ${report.logs.length + report.failures.length} logs (${report.entries} entries read in ${ms} ms)`
      : `verified ${report.logs.length} logs, ${report.entries} entries in ${ms} ms (${rate} entries/s)`,
  );
}

async function exportBundle(args: string[]): Promise<number> {
  const opts = options(args, { database: { type: 'string' }, log: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } });
  if (!opts['database'] || !opts['out']) throw new UsageError('--database and --out are required');
  const num = (name: string) => {
    const value = opts[name];
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer`);
    return Number(value);
  };
  const pool = new Pool({ connectionString: opts['database'], max: 2 });
  const out = createWriteStream(opts['out']);
  try {
    const logs = opts['log'] ? [opts['log']] : (await new LogReader(pool).logs()).map((log) => log.logId);
    for (const logId of logs) {
      const { from, to } = await writeBundle(pool, { logId, from: num('from'), to: num('to') }, (line) =>
        out.write(line) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve())),
      );
      console.log(`exported ${logId} entries ${from}..${to - 1}`);
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await pool.end();
  }
  return 0;
}

function keygen(args: string[]): number {
  const opts = options(args, { name: { type: 'string' }, out: { type: 'string' } });
  if (!opts['name'] || !opts['out']) throw new UsageError('--name and --out are required');
  const { signerKey, verifierKey } = generateNoteKeys(opts['name']);
  // The private key only ever goes to the file (mode 0600), never to the terminal.
  writeFileSync(opts['out'], `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  console.log(verifierKey);
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
