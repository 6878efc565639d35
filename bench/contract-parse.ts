/**
 * CPU cost of contract.parse per event on this machine, single thread, no I/O: the contracts'
 * hand-written fast path (ContractSpec.fastParse, zod only when it defers) against the same
 * contract with zod alone (what parse did before the fast path), on JSON-decoded copies of
 * the example events as consumers see them:
 *   - market.orders.v1: the example NEW LIMIT order, the example FILL, and the 1 KiB order of
 *     bench/kafka-throughput.ts;
 *   - audit.events.v1: the example event (as bench/audit-writer.ts produces it).
 * The two are measured in alternating rounds and the median round is reported, so the ratio
 * is from one sitting.
 *
 * Run: npm run bench -- contract-parse
 * Env: BENCH_PARSE_EVENTS (distinct inputs per round, default 20000), BENCH_PARSE_ROUNDS
 * (rounds per variant, default 15), BENCH_RESULT_FILE.
 */
import { exampleAuditEvent, exampleFillEvent, exampleOrderEvent, type Contract } from '@vigil/contracts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// The zod-only contract is built from the topics' own specs, which the package does not export.
/* eslint-disable @nx/enforce-module-boundaries */
import { auditEventsContractSpec } from '../libs/contracts/src/audit-events.v1/audit-events.contract';
import { marketOrdersContractSpec } from '../libs/contracts/src/market-orders.v1/market-orders.contract';
import { type ContractSpec, defineContract } from '../libs/contracts/src/validation/define-contract';
/* eslint-enable @nx/enforce-module-boundaries */

const EVENTS = Number(process.env['BENCH_PARSE_EVENTS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_PARSE_ROUNDS'] ?? 15);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'contract-parse.json');

function variants<T>(spec: ContractSpec<T>): { fast: Contract<T>; zod: Contract<T> } {
  const { fastParse: _fastParse, ...zodOnly } = spec;
  return { fast: defineContract(spec), zod: defineContract(zodOnly) };
}

const orders = variants(marketOrdersContractSpec);
const audit = variants(auditEventsContractSpec);

/** `count` distinct JSON-decoded inputs (each its own object, as off the wire). */
function decoded(count: number, make: (i: number) => unknown): unknown[] {
  return Array.from({ length: count }, (_, i) => JSON.parse(JSON.stringify(make(i))) as unknown);
}

const paddedOrderId = (() => {
  const sample = exampleOrderEvent({ eventId: 'k-0000000', instrument: 'INST-00', orderId: 'O' });
  return `O${'x'.repeat(1024 - Buffer.byteLength(JSON.stringify(orders.zod.parse(sample))))}`;
})();

const cases: Array<{ name: string; contract: { fast: Contract<unknown>; zod: Contract<unknown> }; inputs: unknown[] }> = [
  { name: 'market.orders.v1 example NEW LIMIT', contract: orders, inputs: decoded(EVENTS, (i) => exampleOrderEvent({ eventId: `o-${i}` })) },
  { name: 'market.orders.v1 example FILL', contract: orders, inputs: decoded(EVENTS, (i) => exampleFillEvent({ eventId: `f-${i}` })) },
  {
    name: 'market.orders.v1 1 KiB (kafka bench)',
    contract: orders,
    inputs: decoded(EVENTS, (i) => exampleOrderEvent({ eventId: `k-${String(i).padStart(7, '0')}`, instrument: `INST-${String(i % 64).padStart(2, '0')}`, orderId: paddedOrderId })),
  },
  {
    name: 'audit.events.v1 example (audit-writer bench)',
    contract: audit,
    inputs: decoded(EVENTS, (i) => exampleAuditEvent({ eventId: `b-${i}`, service: `svc-${i % 12}`, resource: `secret:db/app-${i % 97}` })),
  },
];

/** Microseconds per parse over all inputs, once. */
function round(contract: Contract<unknown>, inputs: unknown[]): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i++) sink += contract.keyOf(contract.parse(inputs[i])).length;
  const micros = Number(process.hrtime.bigint() - started) / 1000 / inputs.length;
  if (sink === 0) throw new Error('nothing parsed');
  return micros;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

const results = cases.map(({ name, contract, inputs }) => {
  const times = { zod: [] as number[], fast: [] as number[] };
  for (let i = 0; i < 3; i++) {
    round(contract.zod, inputs); // warm-up
    round(contract.fast, inputs);
  }
  for (let i = 0; i < ROUNDS; i++) {
    times.zod.push(round(contract.zod, inputs));
    times.fast.push(round(contract.fast, inputs));
  }
  const zod = median(times.zod);
  const fast = median(times.fast);
  console.log(`${name.padEnd(46)} zod ${zod.toFixed(3).padStart(7)} us  fast path ${fast.toFixed(3).padStart(7)} us  ratio ${(fast / zod).toFixed(3)}`);
  return { name, events: inputs.length, zodMicrosPerEvent: r3(zod), fastPathMicrosPerEvent: r3(fast), ratio: r3(fast / zod) };
});

fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
fs.writeFileSync(RESULT_FILE, `${JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, rounds: ROUNDS, results }, null, 2)}\n`);
console.log(`wrote ${RESULT_FILE}`);
