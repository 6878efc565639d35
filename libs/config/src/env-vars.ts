import { isIP, isIPv6 } from 'node:net';
import { z } from 'zod';
import { parseDuration } from './duration';

// Schemas for single environment variables. Each takes the raw string and yields the
// typed value; its error message is the "expected" part of a ConfigError line, so it
// describes a valid value and never repeats the value itself (it may be a secret).

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

// Host names and IPv4 addresses; IPv6 goes through net.isIP.
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function isHost(text: string): boolean {
  return HOST_NAME.test(text) || isIP(text) !== 0;
}

function isPort(text: string, allowZero: boolean): boolean {
  if (!/^\d{1,5}$/.test(text)) return false;
  const n = Number(text);
  return n <= 65535 && (allowZero || n > 0);
}

function isBroker(entry: string): boolean {
  const colon = entry.lastIndexOf(':');
  if (colon <= 0) return false;
  const host = entry.slice(0, colon);
  // An IPv6 broker needs brackets, '[::1]:9092', or its port would be ambiguous.
  const hostOk = host.startsWith('[') && host.endsWith(']') ? isIPv6(host.slice(1, -1)) : HOST_NAME.test(host);
  return hostOk && isPort(entry.slice(colon + 1), false);
}

function required(expected: string) {
  return z.string({ error: expected }).trim();
}

/** A non-empty string (trimmed). */
function string(expected = 'a non-empty string') {
  return required(expected).min(1, expected);
}

/** An integer in [min, max]. */
function int({ min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}) {
  const expected = `an integer from ${min} to ${max}`;
  return required(expected)
    .refine((s) => /^-?\d+$/.test(s) && Number(s) >= min && Number(s) <= max, expected)
    .transform(Number);
}

/** A TCP port, 1-65535; 0 (any free port) only when allowZero is set. */
function port({ allowZero = true } = {}) {
  const expected = allowZero ? 'a TCP port number (0-65535; 0 picks a free port)' : 'a TCP port number (1-65535)';
  return required(expected)
    .refine((s) => isPort(s, allowZero), expected)
    .transform(Number);
}

/** A host name or IP address to bind or connect to. */
function host() {
  const expected = 'a host name or IP address (e.g. 127.0.0.1, ::, localhost)';
  return required(expected).refine(isHost, expected);
}

/** An absolute URL with an authority (scheme://host...), optionally restricted to some protocols (given without the colon). */
function url({ protocols }: { protocols?: readonly string[] } = {}) {
  const expected = protocols?.length
    ? `a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`
    : 'an absolute URL (e.g. http://127.0.0.1:8081)';
  return required(expected).refine((s) => {
    // 'localhost:8081' parses as a URL with protocol 'localhost:'; demand a '//'.
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(s) || !URL.canParse(s)) return false;
    return !protocols?.length || protocols.includes(new URL(s).protocol.slice(0, -1));
  }, expected);
}

/** true/false, 1/0, yes/no or on/off, in any case. */
function boolean() {
  const expected = 'a boolean (true/false, 1/0, yes/no, on/off)';
  return required(expected)
    .transform((s) => s.toLowerCase())
    .refine((s) => TRUE_WORDS.includes(s) || FALSE_WORDS.includes(s), expected)
    .transform((s) => TRUE_WORDS.includes(s));
}

/** A duration such as '500ms', '30s', '2m' or '1h', yielding whole milliseconds. */
function duration() {
  const expected = "a duration with a unit: ms, s, m or h (e.g. '500ms', '30s', '2m')";
  return required(expected)
    .refine((s) => parseDuration(s) !== undefined, expected)
    .transform((s) => parseDuration(s) as number);
}

/** A comma-separated list of Kafka bootstrap brokers 'host:port,host:port', yielding the list. */
function kafkaBrokers() {
  const expected = "a comma-separated list of Kafka brokers as host:port (e.g. '127.0.0.1:9092,kafka-2:9092')";
  const split = (s: string) => s.split(',').map((entry) => entry.trim());
  return required(expected)
    .refine((s) => split(s).every(isBroker), expected)
    .transform(split);
}

/** A pino log level. */
function logLevel() {
  return z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` });
}

/**
 * Schemas for environment variables, to use as the fields of a z.object passed to
 * loadConfig: `{ VIGIL_HTTP_PORT: env.port().default(8080) }`. Defaults are given in
 * the typed form (a number for a port, milliseconds for a duration).
 */
export const env = { string, int, port, host, url, boolean, duration, kafkaBrokers, logLevel };
