// Keys for a local or demo stack only: made once (mode 0600) so that a fresh clone starts
// whole. A variable already set in the environment wins; production keys come from the
// operator (and, as the vault issue lands, from the vault).
//   npm start:       devKeyEnv() → files under .vigil/keys
//   docker compose:  node dev-keys.mjs <dir> [uid:gid]   (the one-shot `keys` service)
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A C2SP signed-note signer key: PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ Ed25519 seed)>. */
function noteSignerKey(name) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([0x01]), pub])).digest().subarray(0, 4);
  return `PRIVATE+KEY+${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([0x01]), seed]).toString('base64')}\n`;
}

const DEV_KEYS = [
  { variable: 'VIGIL_VAULT_MASTER_KEY_FILE', file: 'vault-master.key', make: () => `${randomBytes(32).toString('base64')}\n` },
  { variable: 'VIGIL_AUTH_SEED_KEY_FILE', file: 'auth-seed.key', make: () => `${randomBytes(32).toString('base64')}\n` },
  { variable: 'VIGIL_AUDIT_SIGNING_KEY_FILE', file: 'audit-checkpoint.key', make: () => noteSignerKey('vigil.audit.local') },
];

/** Creates the key files that are missing in `dir`; returns variable → file. */
export function ensureDevKeys(dir, owner) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {};
  for (const key of DEV_KEYS) {
    const file = path.join(dir, key.file);
    if (!fs.existsSync(file)) fs.writeFileSync(file, key.make(), { mode: 0o600, flag: 'wx' });
    if (owner) fs.chownSync(file, owner.uid, owner.gid);
    files[key.variable] = file;
  }
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  return files;
}

/** Environment entries pointing the services at the local keys under `dir`, unless the environment names its own. */
export function devKeyEnv(dir, env = process.env) {
  const files = ensureDevKeys(dir);
  const entries = {};
  for (const [variable, file] of Object.entries(files)) {
    const setByOperator = env[variable] || (variable === 'VIGIL_VAULT_MASTER_KEY_FILE' && env.VIGIL_VAULT_MASTER_KEY);
    if (!setByOperator) entries[variable] = file;
  }
  return entries;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, owner] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node dev-keys.mjs <dir> [uid:gid]');
    process.exit(2);
  }
  const [uid, gid] = (owner ?? '').split(':').map(Number);
  ensureDevKeys(dir, owner ? { uid, gid } : undefined);
  console.log(`dev keys ready in ${dir}`);
}
