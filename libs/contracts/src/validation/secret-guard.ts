/**
 * Catches secrets put where CONTRACTS.md says none may go (audit `details`, incident
 * `evidence`): a key named like a credential, or a string shaped like one. It is a guard
 * against mistakes, not a proof: a secret under an innocent key in an unknown shape passes.
 */

// Compared after lower-casing and removing everything but letters and digits, so
// `api_key`, `apiKey` and `API-KEY` all match. Names that merely contain these words
// (`tokenId`, `secretPath`, `passwordChanged`) are ids or facts, not secrets, and pass.
const SECRET_KEY_NAMES = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secretvalue',
  'clientsecret',
  'apisecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'bearertoken',
  'sessiontoken',
  'apikey',
  'privatekey',
  'secretkey',
  'signingkey',
  'keymaterial',
  'authorization',
  'cookie',
  'setcookie',
  'otp',
  'totp',
  'mfacode',
]);

const SECRET_SHAPES: ReadonlyArray<{ pattern: RegExp; name: string }> = [
  { pattern: /^eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*$/, name: 'a JWT' },
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, name: 'a PEM private key' },
  { pattern: /^Bearer\s+\S{8,}$/i, name: 'a bearer token' },
];

/** True when a value under this key name would be a credential. */
export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_NAMES.has(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** The kind of secret a string looks like (e.g. "a JWT"), or undefined. */
export function secretShapeOf(value: string): string | undefined {
  return SECRET_SHAPES.find((shape) => shape.pattern.test(value))?.name;
}
