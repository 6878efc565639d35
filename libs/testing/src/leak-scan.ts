// The test side of the suite-wide leak scan (scripts/scan-test-leaks.mjs, run by `npm test`
// after the integration tests): tests register the secret material they create, the scan then
// looks for each value — raw, base64, base64url, hex — in every log line the services wrote
// (libs/observability's VIGIL_TEST_LOG_DIR) and every Kafka message of the run.
import { appendFileSync } from 'node:fs';

/** Names the JSON-lines file registrations go to; set by scripts/test.mjs for the integration suite. */
export const LEAK_SCAN_FILE_ENV = 'VIGIL_TEST_SECRETS_FILE';

/**
 * Shorter values are not registered: a 6-digit TOTP code or a short word also turns up by
 * chance in ids, offsets and hashes, and a scan that cries wolf gets switched off.
 */
export const MIN_SECRET_BYTES = 8;

/** True when `npm test` will scan this run (single-file runs: false, and registration is a no-op). */
export function leakScanActive(): boolean {
  return Boolean(process.env[LEAK_SCAN_FILE_ENV]);
}

function append(record: Record<string, string>): void {
  const file = process.env[LEAK_SCAN_FILE_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/**
 * Registers a secret the test created (a password, TOTP seed, token, client secret, key)
 * so that the scan fails the run if any service logs it or puts it on Kafka. `what` names
 * it in the report (the value is never printed). Returns the value, so it can wrap the
 * expression that makes it. Values under MIN_SECRET_BYTES are skipped.
 */
export function registerSecretForLeakScan<T extends string | Buffer>(value: T, what: string): T {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (leakScanActive() && bytes.length >= MIN_SECRET_BYTES) append({ kind: 'secret', what, hex: bytes.toString('hex') });
  return value;
}

/**
 * For a test that deletes its topics when it is done: while the scan is on, the topics
 * under `prefix` are kept for it and deleted by the scan afterwards. Returns true when the
 * caller must not delete them itself.
 */
export function deferTopicDeletionToLeakScan(prefix: string): boolean {
  if (!leakScanActive()) return false;
  append({ kind: 'delete-topics', prefix });
  return true;
}
