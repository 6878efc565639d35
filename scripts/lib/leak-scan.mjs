// What the leak scan (scripts/scan-test-leaks.mjs) looks for, and where `npm test` keeps
// what it scans. The forms of a secret are latin1 strings (one char per byte), so they
// reach grep -F byte for byte.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './proc.mjs';

export const leakScanDir = path.join(stateDir, 'test-results/leak-scan');
export const leakScanPaths = {
  secrets: path.join(leakScanDir, 'secrets.jsonl'),
  logs: path.join(leakScanDir, 'logs'),
  baseline: path.join(leakScanDir, 'kafka-baseline.json'),
};

const MIN_NEEDLE = 8;

/**
 * The base64 characters that encode `bytes` wherever it sits in a longer encoded text: for
 * each of the three byte alignments, the characters made only of the secret's bits (the
 * first and last may mix in a neighbour's bits, so they are left out).
 */
function embeddedBase64(bytes) {
  const forms = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const from = Math.ceil((8 * shift) / 6);
    const to = Math.floor((8 * (shift + bytes.length)) / 6);
    forms.push(encoded.slice(from, to));
  }
  return forms;
}

/** Every form of a secret the scan looks for, as { needle, form }; none shorter than 8 characters. */
export function secretNeedles(bytes) {
  const out = [];
  const add = (needle, form) => {
    if (needle.length >= MIN_NEEDLE && !out.some((n) => n.needle === needle)) out.push({ needle, form });
  };
  // Raw: grep patterns are lines, so a value with line breaks (a PEM key) is looked for line by line.
  const raw = bytes.toString('latin1');
  const parts = raw.split(/[\n\r\0]/);
  for (const part of parts) add(part, parts.length > 1 ? 'raw, one line of it' : 'raw');
  for (const b64 of embeddedBase64(bytes)) {
    const url = b64.replaceAll('+', '-').replaceAll('/', '_');
    add(b64, url === b64 ? 'base64 or base64url' : 'base64');
    add(url, 'base64url');
  }
  add(bytes.toString('hex'), 'hex');
  add(bytes.toString('hex').toUpperCase(), 'hex');
  return out;
}

/** The broker's topic names (kcat's metadata listing); throws naming the brokers when kcat fails. */
export function kafkaTopicNames(brokers) {
  let listing;
  try {
    listing = execFileSync('kcat', ['-L', '-J', '-b', brokers, '-m', '10'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`kcat -L against ${brokers} failed: ${error.stderr?.toString().trim() || error.message}`);
  }
  return JSON.parse(listing).topics.map((t) => t.topic);
}

/**
 * A fresh leak-scan dir for a run, and the Kafka baseline: the topics that exist now and
 * the time, so the scan reads old topics only from here on. Returns the environment the
 * integration tests get (libs/testing leak-scan.ts, libs/observability logger.ts).
 */
export function prepareLeakScan(brokers = '127.0.0.1:9092') {
  fs.rmSync(leakScanDir, { recursive: true, force: true });
  fs.mkdirSync(leakScanPaths.logs, { recursive: true });
  const at = Date.now();
  try {
    fs.writeFileSync(leakScanPaths.baseline, JSON.stringify({ at, topics: kafkaTopicNames(brokers) }));
  } catch {
    // No baseline: the scan reads every topic whole (slower, same verdict).
  }
  return { VIGIL_TEST_LOG_DIR: leakScanPaths.logs, VIGIL_TEST_SECRETS_FILE: leakScanPaths.secrets };
}
