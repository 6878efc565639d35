#!/usr/bin/env node
// The suite-wide leak scan `npm test` runs after the integration tests, while Kafka is up:
// every secret the tests registered (libs/testing registerSecretForLeakScan: passwords, TOTP
// seeds, tokens, client secrets, keys, vault values) is looked for — raw, base64, base64url
// and hex — in every log file the services wrote during the run (libs/observability,
// VIGIL_TEST_LOG_DIR) and in every key, value and header of every Kafka message of the run.
// Prints what leaked where (file:line, topic/partition@offset) by the secret's name, never
// its value, and the counts scanned. Exit 0: nothing found; 1: a leak; 2: could not scan.
//
//   node scripts/scan-test-leaks.mjs [--secrets FILE] [--logs DIR] [--baseline FILE]
//        [--brokers HOST:PORT] [--topic-prefix P] [--allow-no-secrets]
//
// --baseline: {at, topics} written before the tests ran; topics that existed then are read
// only from that time on (the broker's time index), new topics from their beginning.
// Without it every topic is read whole. Topics whose deletion tests deferred to the scan
// (deferTopicDeletionToLeakScan) are deleted afterwards.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaTopicNames, leakScanPaths, secretNeedles } from './lib/leak-scan.mjs';
import { repoRoot, seconds } from './lib/proc.mjs';

const MARKER = '\n~~vigil-leak-scan-msg~~ ';
const KAFKA_CONCURRENCY = 3;

function parse() {
  const { values } = parseArgs({
    options: {
      secrets: { type: 'string', default: leakScanPaths.secrets },
      logs: { type: 'string', default: leakScanPaths.logs },
      baseline: { type: 'string' },
      brokers: { type: 'string', default: process.env.VIGIL_KAFKA_BROKERS ?? '127.0.0.1:9092' },
      'topic-prefix': { type: 'string' },
      'allow-no-secrets': { type: 'boolean', default: false },
    },
  });
  return values;
}

function readRegistrations(file) {
  if (!fs.existsSync(file)) return { secrets: [], deferredPrefixes: [] };
  const secrets = new Map(); // hex -> what (first registration names it)
  const deferredPrefixes = new Set();
  for (const [index, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${index + 1}: not a JSON line`);
    }
    if (record.kind === 'secret' && !secrets.has(record.hex)) secrets.set(record.hex, record.what);
    if (record.kind === 'delete-topics') deferredPrefixes.add(record.prefix);
  }
  return { secrets: [...secrets].map(([hex, what]) => ({ what, bytes: Buffer.from(hex, 'hex') })), deferredPrefixes: [...deferredPrefixes] };
}

/** Runs a command; resolves with its stdout (a Buffer) and exit code. `input` is written to its stdin. */
function capture(command, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, LC_ALL: 'C' }, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), code, stderr: err.trim() }));
    if (input) {
      child.stdin.on('error', () => undefined); // grep may stop reading early
      child.stdin.end(input);
    }
  });
}

/** grep -F over `input` (a Buffer) or files: the hits as [location, match] pairs. */
async function grepNeedles(patternsFile, { input, files }) {
  const args = input ? ['-aFbo', '-f', patternsFile] : ['-aFHno', '-f', patternsFile, '--', ...files];
  const { stdout, code, stderr } = await capture('grep', args, input);
  if (code === 2) throw new Error(`grep failed: ${stderr}`);
  const hits = [];
  for (const line of stdout.toString('latin1').split('\n')) {
    if (!line) continue;
    if (input) {
      const colon = line.indexOf(':');
      hits.push([Number(line.slice(0, colon)), line.slice(colon + 1)]);
    } else {
      const first = line.indexOf(':');
      const second = line.indexOf(':', first + 1);
      hits.push([`${line.slice(0, first)}:${line.slice(first + 1, second)}`, line.slice(second + 1)]);
    }
  }
  return hits;
}

async function scanLogs(logDir, patternsFile, describe) {
  const files = fs.existsSync(logDir) ? fs.readdirSync(logDir).filter((f) => f.endsWith('.log')).map((f) => path.join(logDir, f)) : [];
  let lines = 0;
  let bytes = 0;
  for (const file of files) {
    const content = fs.readFileSync(file);
    bytes += content.length;
    for (let i = content.indexOf(10); i !== -1; i = content.indexOf(10, i + 1)) lines++;
  }
  const leaks = [];
  // A few hundred files per grep call keeps the argument list short.
  for (let i = 0; i < files.length; i += 200) {
    for (const [where, match] of await grepNeedles(patternsFile, { files: files.slice(i, i + 200) })) {
      leaks.push(`${describe(match)} in ${path.relative(repoRoot, where.slice(0, where.lastIndexOf(':')))}:${where.slice(where.lastIndexOf(':') + 1)}`);
    }
  }
  return { files: files.length, lines, bytes, leaks };
}

/** Reads one topic (from `since` ms, or its beginning) and greps it; hits become topic/partition@offset (field). */
async function scanTopic(brokers, topic, since, patternsFile, describe) {
  const format = `${MARKER.replace('\n', '\\n')}%t %p %o %K %S\\n%k%s%h`;
  // fetch.wait.max.ms: librdkafka's default (500 ms) makes every topic cost a second at its
  // end; the run's hundreds of topics took two minutes, with 5 ms under twenty seconds.
  const { stdout, code, stderr } = await capture('kcat', ['-C', '-b', brokers, '-t', topic, '-o', since ? `s@${since}` : 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=5', '-f', format]);
  if (code !== 0) {
    // Deleted since the listing (another test's cleanup): nothing left to leak from.
    if (/Unknown topic or partition/.test(stderr) && !kafkaTopicNames(brokers).includes(topic)) return { messages: 0, bytes: 0, leaks: [], gone: true };
    throw new Error(`kcat reading ${topic} failed: ${stderr || `exit ${code}`}`);
  }
  let messages = 0;
  const marker = Buffer.from(MARKER, 'latin1');
  for (let i = stdout.indexOf(marker); i !== -1; i = stdout.indexOf(marker, i + marker.length)) messages++;
  const leaks = [];
  if (messages === 0) return { messages, bytes: 0, leaks };
  for (const [offset, match] of await grepNeedles(patternsFile, { input: stdout })) {
    const start = stdout.lastIndexOf(marker, offset);
    const headerEnd = stdout.indexOf(10, start + marker.length);
    const [t, p, o, keyLength, valueLength] = stdout.toString('latin1', start + marker.length, headerEnd).split(' ');
    const within = offset - (headerEnd + 1);
    const key = Math.max(0, Number(keyLength));
    const field = within < key ? 'key' : within < key + Math.max(0, Number(valueLength)) ? 'value' : 'headers';
    leaks.push(`${describe(match)} in kafka ${t}/${p}@${o} (${field})`);
  }
  return { messages, bytes: stdout.length, leaks };
}

async function scanKafka(options, patternsFile, describe) {
  const baseline = options.baseline && fs.existsSync(options.baseline) ? JSON.parse(fs.readFileSync(options.baseline, 'utf8')) : undefined;
  const before = new Set(baseline?.topics ?? []);
  const topics = kafkaTopicNames(options.brokers).filter((t) => !t.startsWith('__') && (!options['topic-prefix'] || t.startsWith(options['topic-prefix'])));
  const totals = { topics: topics.length, whole: 0, gone: 0, messages: 0, bytes: 0, leaks: [] };
  const queue = [...topics];
  await Promise.all(
    Array.from({ length: KAFKA_CONCURRENCY }, async () => {
      for (let topic = queue.shift(); topic !== undefined; topic = queue.shift()) {
        const since = baseline && before.has(topic) ? baseline.at : undefined;
        if (!since) totals.whole++;
        const result = await scanTopic(options.brokers, topic, since, patternsFile, describe);
        if (result.gone) totals.gone++;
        totals.messages += result.messages;
        totals.bytes += result.bytes;
        totals.leaks.push(...result.leaks);
      }
    }),
  );
  return { ...totals, since: baseline ? new Date(baseline.at).toISOString() : undefined };
}

async function deleteDeferredTopics(brokers, prefixes) {
  if (prefixes.length === 0) return 0;
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'vigil-leak-scan', bootstrapBrokers: [brokers] });
  try {
    const ours = (await admin.listTopics()).filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
    if (ours.length) await admin.deleteTopics({ topics: ours });
    return ours.length;
  } finally {
    await admin.close();
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const started = Date.now();
  const options = parse();
  const { secrets, deferredPrefixes } = readRegistrations(options.secrets);
  if (secrets.length === 0 && !options['allow-no-secrets']) {
    console.error(`leak scan: no secret registered in ${path.relative(repoRoot, options.secrets)}; a scan for nothing proves nothing (did the integration tests run with VIGIL_TEST_SECRETS_FILE set?)`);
    return 2;
  }
  // needle -> "<what> (<form>)"; the value itself never leaves this process except to grep's stdin.
  const names = new Map();
  for (const secret of secrets) for (const { needle, form } of secretNeedles(secret.bytes)) if (!names.has(needle)) names.set(needle, `${secret.what} (${form})`);
  const describe = (match) => names.get(match) ?? 'a registered secret (form not identified)';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-leak-scan-'));
  const patternsFile = path.join(tmp, 'needles');
  fs.writeFileSync(patternsFile, `${[...names.keys()].join('\n')}\n`, { encoding: 'latin1', mode: 0o600 });
  try {
    console.log(`leak scan: ${secrets.length} registered secrets, ${names.size} forms looked for (raw, base64, base64url, hex)`);
    const logs = await scanLogs(options.logs, patternsFile, describe);
    console.log(`logs:  ${logs.files} files, ${logs.lines} lines, ${mb(logs.bytes)} in ${path.relative(repoRoot, options.logs)}: ${logs.leaks.length ? `${logs.leaks.length} leaks` : 'no secret found'}`);
    const kafka = await scanKafka(options, patternsFile, describe);
    console.log(
      `kafka: ${kafka.topics} topics (${kafka.whole} read whole${kafka.since ? `, ${kafka.topics - kafka.whole} from ${kafka.since}` : ''}${kafka.gone ? `, ${kafka.gone} deleted before they were read` : ''}), ${kafka.messages} messages, ${mb(kafka.bytes)}: ${kafka.leaks.length ? `${kafka.leaks.length} leaks` : 'no secret found'}`,
    );
    const leaks = [...logs.leaks, ...kafka.leaks];
    const shown = 50;
    for (const leak of leaks.slice(0, shown)) console.log(`LEAK: ${leak}`);
    if (leaks.length > shown) console.log(`LEAK: … and ${leaks.length - shown} more`);
    const deleted = await deleteDeferredTopics(options.brokers, deferredPrefixes);
    if (deleted) console.log(`deleted ${deleted} topics whose tests left them for the scan`);
    console.log(`leak scan: ${leaks.length ? `FAILED, ${leaks.length} leaks` : 'ok'} (${seconds(Date.now() - started)})`);
    return leaks.length ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`leak scan: could not scan: ${err.message}`);
    process.exitCode = 2;
  },
);
