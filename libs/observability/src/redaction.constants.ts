/** What a redacted value is replaced with in every log line. */
export const REDACTED = '[REDACTED]';

// Keys whose values are secrets wherever they appear. Paths are case-sensitive;
// Node lower-cases incoming HTTP header names, so headers are listed in lower case.
const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'privateKey',
  'private_key',
  'passphrase',
  'otp',
  'mfaCode',
  'connectionString',
  'authorization',
  'Authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

const accessor = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

/**
 * pino redaction paths: each secret key at the top level and up to three objects deep
 * (`req.headers.authorization` is two deep), so `{ user: { password } }`, a request's
 * headers and a response's set-cookie are all covered. Deeper secrets are not: log
 * objects that are shallow, or leave the secret out.
 */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const tail = accessor(key);
  return [tail.startsWith('.') ? key : tail, `*${tail}`, `*.*${tail}`, `*.*.*${tail}`];
});
