/**
 * CPU cost of libs/merkle on this machine, per second, single thread, no I/O:
 *   - leafHash of 1 KiB entries; leafHash + CompactRange.append (what the audit-writer does
 *     per entry, and what the offline verifier does to recompute a root: entries/s);
 *   - inclusion and consistency proofs built from a node store in memory, and verified;
 *   - signing and verifying a C2SP checkpoint (Ed25519).
 * Proof serving in the audit-writer adds one Postgres round trip per proof; this measures
 * only the computation around it.
 *
 * Run: npm run bench -- merkle — or alone:
 *   node_modules/.bin/node -r @swc-node/register bench/merkle-throughput.ts
 * Env: BENCH_MERKLE_LEAVES (tree size for the proof measurements, default 262144 — the
 * in-memory store holds 2 hashes per leaf), BENCH_SECONDS (per measurement, default 2),
 * BENCH_RESULT_FILE.
 */
import {
  CompactRange,
  consistencyProof,
  generateNoteKeys,
  inclusionProof,
  leafHash,
  MemoryNodeSource,
  parseSignerKey,
  rootHashFromSource,
  signCheckpoint,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@vigil/merkle';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LEAVES = Number(process.env['BENCH_MERKLE_LEAVES'] ?? 262_144);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'merkle-throughput.json');

interface Measurement {
  operation: string;
  count: number;
  seconds: number;
  perSecond: number;
  note?: string;
}

/** Runs `step` (which does `batch` operations) until SECONDS have passed. */
async function measure(operation: string, batch: number, step: (round: number) => unknown, note?: string): Promise<Measurement> {
  for (let i = 0; i < 3; i++) await step(i); // warm-up
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(SECONDS * 1e9));
  let rounds = 0;
  while (process.hrtime.bigint() < deadline) await step(rounds++);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const count = rounds * batch;
  const result = { operation, count, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(count / seconds), ...(note ? { note } : {}) };
  console.log(`${operation.padEnd(58)} ${String(result.perSecond).padStart(10)} /s`);
  return result;
}

async function main(): Promise<void> {
  const results: Measurement[] = [];
  const entries = Array.from({ length: 1024 }, () => randomBytes(1024));

  results.push(await measure('leafHash, 1 KiB entry', entries.length, () => entries.forEach((entry) => leafHash(entry))));
  let range = CompactRange.empty();
  results.push(
    await measure('leafHash + CompactRange.append, 1 KiB entry (= verifier)', entries.length, () => {
      for (const entry of entries) range.append(leafHash(entry));
    }),
  );
  range = CompactRange.empty();
  const stored: number[] = [0];
  results.push(
    await measure('CompactRange.append + visitor (nodes to store)', entries.length, () => {
      for (const entry of entries) range.append(entry.subarray(0, 32), () => (stored[0] = (stored[0] ?? 0) + 1));
    }),
  );

  console.log(`building an in-memory store of ${LEAVES} leaves...`);
  const source = new MemoryNodeSource();
  for (let i = 0; i < LEAVES; i++) source.append(leafHash(entries[i % entries.length] as Buffer));
  const size = source.size;
  const root = source.rootHash();
  const leafHashes = entries.map((entry) => leafHash(entry));
  const indices = Array.from({ length: 1024 }, (_, i) => Math.floor(((i * 2654435761) % 2 ** 32) / 2 ** 32 * size));

  results.push(
    await measure(`inclusionProof, tree of ${size}`, indices.length, async () => {
      for (const index of indices) await inclusionProof(source, index, size);
    }),
  );
  const proofs = await Promise.all(indices.map((index) => inclusionProof(source, index, size)));
  results.push(
    await measure(`verifyInclusion, tree of ${size}`, indices.length, () => {
      indices.forEach((index, i) => verifyInclusion(index, size, leafHashes[index % leafHashes.length] as Buffer, proofs[i] as Buffer[], root));
    }),
  );

  const olderSizes = indices.map((index) => Math.max(1, index));
  const olderRoots = await Promise.all(olderSizes.map((older) => rootHashFromSource(source, older)));
  results.push(
    await measure(`consistencyProof, random size1 -> ${size}`, olderSizes.length, async () => {
      for (const older of olderSizes) await consistencyProof(source, older, size);
    }),
  );
  const consistencyProofs = await Promise.all(olderSizes.map((older) => consistencyProof(source, older, size)));
  results.push(
    await measure(`verifyConsistency, random size1 -> ${size}`, olderSizes.length, () => {
      olderSizes.forEach((older, i) => verifyConsistency(older, size, olderRoots[i] as Buffer, root, consistencyProofs[i] as Buffer[]));
    }),
  );

  const origin = 'bench.vigil/audit/market.orders.v1/0';
  const keys = generateNoteKeys(origin);
  const signer = parseSignerKey(keys.signerKey);
  const checkpoint = { origin, size, rootHash: root };
  results.push(await measure('signCheckpoint (Ed25519)', 100, () => {
    for (let i = 0; i < 100; i++) signCheckpoint(checkpoint, [signer]);
  }));
  const note = signCheckpoint(checkpoint, [signer]);
  results.push(await measure('verifyCheckpoint (Ed25519)', 100, () => {
    for (let i = 0; i < 100; i++) verifyCheckpoint(note, { trusted: [keys.verifierKey], origin });
  }));

  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        bench: 'merkle-throughput',
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
        treeSize: size,
        secondsPerMeasurement: SECONDS,
        loadAverage: os.loadavg(),
        results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${path.relative(process.cwd(), RESULT_FILE)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
