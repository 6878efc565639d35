/**
 * The audit-writer's throughput and proof latency on this machine, in one run:
 *   1. entries/s from Kafka into the Merkle log (consumer runner → LogAppender: leaves, node
 *      hashes, offsets and a signed checkpoint per partition per batch, one transaction each),
 *      timed from the first batch to the last;
 *   1b. the same consumer runner with a handler that does nothing: the ceiling Kafka sets;
 *   2. the same appender fed from memory (no Kafka), to separate the two costs;
 *   3. plain `COPY` (psql \copy) of the same entry rows into an unpartitioned table of the same
 *      shape — the ratio writer/COPY is the figure the issue asks for (aim ≥ 0.5);
 *   4. offline verification (verifyDatabase: decode, rehash, nodes and signatures) entries/s;
 *   5. inclusion and consistency proof latency (HTTP-free: LogReader, one query each) p50/p99
 *      on a synthetic log of BENCH_AUDIT_PROOF_LEAVES leaves whose node table is COPYed in.
 *
 * Run: npm run bench -- audit   (needs npm run infra -- up)
 * Env: BENCH_AUDIT_EVENTS (default 100000), BENCH_AUDIT_BATCH (runner batch, default 5000),
 *      BENCH_AUDIT_PROOF_LEAVES (default 1048576), BENCH_AUDIT_PROOFS (samples, default 2000),
 *      BENCH_RESULT_FILE.
 */
import { auditEventsContract, exampleAuditEvent, type AuditEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, defaultTopicSpec, KafkaAdmin, silentLogger } from '@vigil/kafka';
import { CompactRange, generateNoteKeys, leafHash } from '@vigil/merkle';
import { createThrowawayDatabase, infraEnv, testPrefix } from '@vigil/testing';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
// The benchmark drives the audit-writer's own classes in process (as bench/alerter.ts does).
/* eslint-disable @nx/enforce-module-boundaries */
import { CheckpointSigning } from '../apps/audit-writer/src/checkpoint/checkpoint-signing';
import { checkpointKeyFrom } from '../apps/audit-writer/src/checkpoint/signing-key';
import { LogAppender, type SourceRecord } from '../apps/audit-writer/src/log/log-appender';
import { LogReader } from '../apps/audit-writer/src/log/log-reader';
import { isStoredLevel } from '../apps/audit-writer/src/log/node-strata';
import { migrateAudit } from '../apps/audit-writer/src/migrate';
import { verifyDatabase } from '../apps/audit-writer/src/verify/verify-database';
/* eslint-enable @nx/enforce-module-boundaries */

const EVENTS = Number(process.env['BENCH_AUDIT_EVENTS'] ?? 100_000);
const BATCH = Number(process.env['BENCH_AUDIT_BATCH'] ?? 5000);
const PROOF_LEAVES = Number(process.env['BENCH_AUDIT_PROOF_LEAVES'] ?? 1_048_576);
const PROOFS = Number(process.env['BENCH_AUDIT_PROOFS'] ?? 2000);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'audit-writer.json');

const keys = generateNoteKeys('vigil.audit.bench');
const key = checkpointKeyFrom(keys.signerKey);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-audit-bench-'));

function psql(url: string, command: string, stdinFile?: string): void {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { stdio: [stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`psql ${command}: ${result.stderr.toString()}`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main() {
  const db = await createThrowawayDatabase(undefined, 'vigil_bench_');
  const pool = new Pool({ connectionString: db.url, max: 8 });
  const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, events: EVENTS, batch: BATCH };
  try {
    await migrateAudit(db.url);
    const prefix = testPrefix();
    const kafka = { brokers: infraEnv().kafkaBrokers, clientId: 'audit-bench', topicPrefix: prefix };
    const admin = new KafkaAdmin(kafka);
    await admin.ensureTopics([defaultTopicSpec('audit.events.v1', { topicPrefix: prefix, consumed: true })], silentLogger);
    await admin.close?.();

    // 1. Kafka → log.
    const producer = createEventProducer(kafka);
    const events = Array.from({ length: EVENTS }, (_, i) => exampleAuditEvent({ eventId: `b-${i}`, service: `svc-${i % 12}`, resource: `secret:db/app-${i % 97}` }));
    for (let i = 0; i < EVENTS; i += 5000) await producer.send(auditEventsContract, events.slice(i, i + 5000));
    await producer.close();
    console.log(`produced ${EVENTS} audit events to ${prefix}audit.events.v1 (6 partitions)`);

    const appender = new LogAppender({ pool, signing: new CheckpointSigning(key), groupId: 'bench', topicPrefix: prefix, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
    // The same runner settings twice: into the log, then (another group) with a handler that does
    // nothing — the consume-and-validate ceiling the log's rate is bounded by.
    const consume = async (group: string, handle: (messages: SourceRecord[]) => Promise<number>) => {
      let handled = 0;
      let first = 0;
      let batches = 0;
      let checkpoints = 0;
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const runner = createConsumerRunner<AuditEvent>({
        ...kafka,
        groupId: `${prefix}${group}`,
        contracts: [auditEventsContract],
        logger: silentLogger,
        maxBatchMessages: BATCH,
        maxInFlightMessages: BATCH * 4,
        maxBatchBytes: 64 * 1024 * 1024,
        maxInFlightBytes: 256 * 1024 * 1024,
        handler: async (messages) => {
          if (!first) first = performance.now();
          checkpoints += await handle(messages);
          batches++;
          handled += messages.length;
          if (handled >= EVENTS) resolveDone();
        },
      });
      await runner.start();
      await done;
      const seconds = (performance.now() - first) / 1000;
      await runner.stop();
      return { seconds, batches, checkpoints };
    };
    const toLog = await consume('bench', async (messages) => (await appender.append(messages)).length);
    const kafkaSeconds = toLog.seconds;
    const kafkaRate = EVENTS / kafkaSeconds;
    results['kafkaToLog'] = { entries: EVENTS, seconds: round(kafkaSeconds, 2), entriesPerSecond: round(kafkaRate), batches: toLog.batches, checkpoints: toLog.checkpoints };
    console.log(`kafka → log: ${round(kafkaRate)} entries/s (${toLog.batches} batches, ${toLog.checkpoints} checkpoints, ${round(kafkaSeconds, 2)} s)`);
    const only = await consume('bench-consume-only', async () => 0);
    const consumeRate = EVENTS / only.seconds;
    results['kafkaConsumeOnly'] = { events: EVENTS, seconds: round(only.seconds, 2), eventsPerSecond: round(consumeRate), batches: only.batches, note: 'same runner settings, handler does nothing: fetch, decode, contract validation, commits' };
    console.log(`kafka consume only (no log): ${round(consumeRate)} events/s → log/consume-only ${round(kafkaRate / consumeRate, 3)}`);

    // 2. The appender alone, from memory, into a second set of logs (another topic name).
    const records: SourceRecord[] = events.map((value, i) => ({ topic: 'mem.audit.events.v1', partition: i % 6, offset: BigInt(Math.floor(i / 6)), value }));
    const memStarted = performance.now();
    for (let i = 0; i < records.length; i += BATCH) await appender.append(records.slice(i, i + BATCH));
    const memSeconds = (performance.now() - memStarted) / 1000;
    results['memoryToLog'] = { entries: EVENTS, seconds: round(memSeconds, 2), entriesPerSecond: round(EVENTS / memSeconds) };
    console.log(`memory → log: ${round(EVENTS / memSeconds)} entries/s`);

    // 3. Plain COPY of the same rows.
    const csv = path.join(tmp, 'entries.csv');
    psql(db.url, `\\copy (select log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id from audit.entries where log_id like 'audit.events.v1-%') to '${csv}' csv`);
    psql(db.url, 'create table public.copy_entries (like audit.entries including defaults including constraints including indexes)');
    const copyStarted = performance.now();
    psql(db.url, "\\copy public.copy_entries from stdin csv", csv);
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const copyRate = EVENTS / copySeconds;
    results['plainCopy'] = { entries: EVENTS, seconds: round(copySeconds, 2), entriesPerSecond: round(copyRate), note: 'psql \\copy into an unpartitioned table with the same columns, keys and indexes; includes psql start-up' };
    results['ratioKafkaToLogVsCopy'] = round(kafkaRate / copyRate, 3);
    results['ratioMemoryToLogVsCopy'] = round(EVENTS / memSeconds / copyRate, 3);
    results['ratioConsumeOnlyVsCopy'] = round(consumeRate / copyRate, 3);
    console.log(`plain COPY: ${round(copyRate)} rows/s → ratio kafka → log ${round(kafkaRate / copyRate, 3)}, memory → log ${round(EVENTS / memSeconds / copyRate, 3)}, consume only ${round(consumeRate / copyRate, 3)}`);

    // 4. Offline verification of everything written (2 × EVENTS entries).
    const verifyStarted = performance.now();
    const report = await verifyDatabase(db.url, keys.verifierKey);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    if (report.failures.length) throw new Error(`verification failed: ${report.failures[0]!.message}`);
    results['offlineVerify'] = { entries: report.entries, seconds: round(verifySeconds, 2), entriesPerSecond: round(report.entries / verifySeconds) };
    console.log(`offline verify: ${round(report.entries / verifySeconds)} entries/s (${report.entries} entries)`);

    // 5. Proof latency on a large synthetic log: its nodes COPYed in.
    const logId = 'bench.proofs-0';
    const nodesCsv = path.join(tmp, 'nodes.csv');
    const entriesCsv = path.join(tmp, 'proof-entries.csv');
    const out = fs.openSync(nodesCsv, 'w');
    const leavesOut = fs.openSync(entriesCsv, 'w');
    const range = CompactRange.empty();
    const arrived = new Date().toISOString();
    let lines: string[] = [];
    let leaves: string[] = [];
    for (let i = 0; i < PROOF_LEAVES; i++) {
      // Entries carry the leaf hashes (level 0); their bytes do not matter to proof serving.
      range.append(leafHash(randomBytes(16)), (id, hash) =>
        id.level === 0
          ? leaves.push(`${logId},${id.index},\\x${hash.toString('hex')},\\x00,${arrived},${id.index},e${id.index}`)
          : isStoredLevel(id.level)
            ? lines.push(`${logId},${id.level},${id.index},\\x${hash.toString('hex')}`)
            : undefined,
      );
      if (leaves.length >= 100_000) {
        if (lines.length) fs.writeSync(out, `${lines.join('\n')}\n`);
        fs.writeSync(leavesOut, `${leaves.join('\n')}\n`);
        lines = [];
        leaves = [];
      }
    }
    if (lines.length) fs.writeSync(out, `${lines.join('\n')}\n`);
    if (leaves.length) fs.writeSync(leavesOut, `${leaves.join('\n')}\n`);
    fs.closeSync(out);
    fs.closeSync(leavesOut);
    psql(db.url, `insert into audit.logs (log_id, origin, tree_size) values ('${logId}', 'vigil.audit/${logId}', ${PROOF_LEAVES})`);
    psql(db.url, '\\copy audit.nodes (log_id, level, idx, hash) from stdin csv', nodesCsv);
    psql(db.url, '\\copy audit.entries (log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id) from stdin csv', entriesCsv);
    psql(db.url, 'analyze audit.nodes; analyze audit.entries');
    const reader = new LogReader(pool);
    const timings = { inclusion: [] as number[], consistency: [] as number[] };
    for (let i = 0; i < 50; i++) await reader.inclusion(logId, randomInt(PROOF_LEAVES), PROOF_LEAVES); // warm-up
    for (let i = 0; i < PROOFS; i++) {
      let started = performance.now();
      await reader.inclusion(logId, randomInt(PROOF_LEAVES), PROOF_LEAVES);
      timings.inclusion.push(performance.now() - started);
      const from = 1 + randomInt(PROOF_LEAVES - 1);
      started = performance.now();
      await reader.consistency(logId, from, PROOF_LEAVES);
      timings.consistency.push(performance.now() - started);
    }
    const latency = Object.fromEntries(
      Object.entries(timings).map(([name, values]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return [name, { samples: sorted.length, p50Ms: round(percentile(sorted, 50), 3), p99Ms: round(percentile(sorted, 99), 3), maxMs: round(sorted[sorted.length - 1]!, 3) }];
      }),
    );
    results['proofLatency'] = { leaves: PROOF_LEAVES, nodeRows: Math.floor(PROOF_LEAVES / 16), ...latency, note: 'LogReader over a pg Pool on 127.0.0.1: one query per proof, proof and root assembled; no HTTP' };
    console.log(`proofs on ${PROOF_LEAVES} leaves: ${JSON.stringify(latency)}`);
  } finally {
    await pool.end();
    await db.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(RESULT_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${RESULT_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
