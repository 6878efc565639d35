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

/** Keys whose string values (in a request or answer body) are secrets the tests hold. */
const SECRET_BODY_KEYS = new Set([
  'password',
  'newPassword',
  'currentPassword',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'mfaToken',
  'enrolmentToken',
  'manualEntryKey',
  'otpauthUri',
  'recoveryCodes',
  'clientSecret',
  'client_secret',
  // vault secret fields the tests write: webhook signing keys, PagerDuty routing keys
  'signing_key',
  'signingKey',
  'routing_key',
  'routingKey',
  'privateKey',
  'private_key',
]);

/**
 * Registers the secrets in an HTTP body a test sends or gets back (passwords, tokens, TOTP
 * seeds, recovery codes, client secrets), at any depth, named `<where> <key>`. For the
 * shared HTTP helpers of the tests, so every login they do is covered in one place.
 */
export function registerSecretsInBody(body: unknown, where: string): void {
  if (!leakScanActive() || !body || typeof body !== 'object') return;
  const visit = (value: unknown, depth: number) => {
    if (depth > 4 || !value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_BODY_KEYS.has(key)) {
        for (const item of Array.isArray(inner) ? inner : [inner]) if (typeof item === 'string') registerSecretForLeakScan(item, `${where} ${key}`);
      } else {
        visit(inner, depth + 1);
      }
    }
  };
  visit(body, 0);
}

/**
 * A test's own set of the secrets it saw or made (for its local "none in my logs" check)
 * that also registers each one for the suite-wide scan; `add(value, what)` names it.
 */
export class LeakScanSecrets extends Set<string> {
  constructor(
    private readonly where: string,
    initial: Iterable<string> = [],
  ) {
    super();
    for (const value of initial) this.add(value);
  }

  override add(value: string, what = 'secret'): this {
    registerSecretForLeakScan(value, `${this.where ?? 'test'} ${what}`);
    return super.add(value);
  }
}
