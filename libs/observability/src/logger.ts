import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import pino, { DestinationStream, Level, LevelWithSilent, Logger, StreamEntry } from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.constants';

/**
 * Set by `npm test` (scripts/test.mjs) for the integration suite: every logger of the
 * process — in-process Nest services in tests and the built services tests spawn, which
 * inherit the environment — also writes its lines, redacted as usual, to
 * `<dir>/<service>.<pid>.log` at debug (or trace, if asked for) even when the test made it
 * silent, so the suite-wide leak scan (scripts/scan-test-leaks.mjs) reads what the services
 * really log without flooding the console. Unset (production, single-file runs): nothing changes.
 */
export const TEST_LOG_DIR_ENV = 'VIGIL_TEST_LOG_DIR';

// One file descriptor per file per module instance (Jest gives each test file its own).
const testLogFiles = new Map<string, DestinationStream>();

function testLogFile(dir: string, service: string): DestinationStream {
  const file = path.join(dir, `${service.replace(/[^\w.-]/g, '_')}.${process.pid}.log`);
  let stream = testLogFiles.get(file);
  if (!stream) {
    fs.mkdirSync(dir, { recursive: true });
    // Synchronous: a test process may be force-exited right after its last line.
    stream = pino.destination({ dest: file, sync: true, append: true, mkdir: true });
    testLogFiles.set(file, stream);
  }
  return stream;
}

/**
 * The service's root logger: one JSON object per line on stdout (or `destination`),
 * `service` in every line, ISO timestamps, level as a word, secrets redacted.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const options = {
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
  };
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  const testLogDir = process.env[TEST_LOG_DIR_ENV];
  if (!testLogDir) return pino({ ...options, level }, out);

  const fileLevel: Level = level === 'trace' ? 'trace' : 'debug';
  const streams: StreamEntry[] = [{ level: fileLevel, stream: testLogFile(testLogDir, service) }];
  if (level !== 'silent') streams.push({ level, stream: out });
  const logger = pino({ ...options, level: fileLevel }, pino.multistream(streams));
  return logger;
}
