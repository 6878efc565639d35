// Keys for the local stack only (`npm start`): made once under .vigil/keys (mode 0600)
// so that a fresh clone starts whole. A variable already set in the environment wins;
// production keys come from the operator (and, as the vault issue lands, from the vault).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './proc.mjs';

const keysDir = path.join(stateDir, 'keys');

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

/** Environment entries pointing the services at the local keys, creating missing key files. */
export function devKeyEnv(env = process.env) {
  const entries = {};
  for (const key of DEV_KEYS) {
    if (env[key.variable] || (key.variable === 'VIGIL_VAULT_MASTER_KEY_FILE' && env.VIGIL_VAULT_MASTER_KEY)) continue;
    const file = path.join(keysDir, key.file);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, key.make(), { mode: 0o600, flag: 'wx' });
    }
    entries[key.variable] = file;
  }
  return entries;
}
