import { hostname } from 'node:os';
import pino, { DestinationStream, LevelWithSilent, Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.constants';

/**
 * The service's root logger: one JSON object per line on stdout (or `destination`),
 * `service` in every line, ISO timestamps, level as a word, secrets redacted.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
