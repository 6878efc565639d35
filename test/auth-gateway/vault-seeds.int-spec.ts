// The gateway's TOTP seeds through the real vault's transit API, in the stack as `npm start` runs
// it: VIGIL_AUTH_TOTP_CIPHER=vault, the vault trusting the gateway's JWKS. The transit key is
// created through the gateway's proxy by an admin; a user then enrols TOTP, and the stored seed
// is a vault ciphertext that the gateway opens again to accept the code.
import { registerSecretsInBody } from '@vigil/testing';
import { issueToken } from '@vigil/auth';
import { execFile } from 'node:child_process';
import { createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { NODE, startStack, type Stack } from '../support/stack';
import { REPO_ROOT } from '../support/tools';

let stack: Stack;
let pool: Pool;

beforeAll(async () => {
  stack = await startStack({
    logLevel: 'warn',
    env: (ports) => ({
      'auth-gateway': { VIGIL_AUTH_TOTP_CIPHER: 'vault', VIGIL_VAULT_URL: `http://127.0.0.1:${ports.vault}`, VIGIL_UPSTREAM_VAULT_URL: `http://127.0.0.1:${ports.vault}` },
      vault: { VIGIL_VAULT_AUTH_JWKS_URL: `http://127.0.0.1:${ports['auth-gateway']}/.well-known/jwks.json` },
    }),
  });
  pool = new Pool({ connectionString: stack.database.url, max: 2 });
}, 240_000);

afterAll(async () => {
  await pool?.end();
  await stack?.close();
});

/** The gateway's local seed-key format (local:v1:base64(nonce ‖ ciphertext ‖ tag), context as AAD). */
function openLocal(keyFile: string, ciphertext: string, context: string): Buffer {
  const text = readFileSync(keyFile, 'utf8').trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  const raw = Buffer.from(ciphertext.slice('local:v1:'.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/** RFC 6238 TOTP, SHA-1, 6 digits, 30 s: what an authenticator app shows. */
function totp(seed: Buffer, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', seed).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function post(url: string, body: unknown, token?: string) {
  registerSecretsInBody(body, `vault-seeds test request ${new URL(url).pathname}`);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  const answer = text ? JSON.parse(text) : undefined;
  registerSecretsInBody(answer, `vault-seeds test answer ${new URL(url).pathname}`);
  return { status: res.status, body: answer };
}

describe('TOTP seeds through the vault transit API', () => {
  it('an admin creates the transit key through the proxy; enrolment stores a vault ciphertext; the code is accepted', async () => {
    const gateway = stack.child('auth-gateway').url;
    const env = stack.env();
    const password = `seed admin ${randomBytes(6).toString('hex')}`;
    const passwordFile = path.join(mkdtempSync(path.join(tmpdir(), 'seeds-')), 'pw');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    await new Promise<void>((resolve, reject) =>
      execFile(NODE, [path.join(REPO_ROOT, 'dist/apps/auth-gateway/src/cli/bootstrap-admin.js'), '--username', 'seed-admin', '--password-file', passwordFile], { env }, (error) => (error ? reject(error) : resolve())),
    );
    const adminId = (await pool.query(`select id from auth.users where username = 'seed-admin'`)).rows[0].id as string;

    // The operator's first step: the transit key, created by an admin (keys:rotate, fresh MFA) through
    // the gateway's proxy. The token is signed with the gateway's own key, as after a real login.
    expect((await fetch(`${gateway}/.well-known/jwks.json`)).status).toBe(200);
    const row = (await pool.query(`select kid, private_jwk_ciphertext as c from auth.signing_keys where status = 'active'`)).rows[0];
    const privateJwk = JSON.parse(openLocal(env['VIGIL_AUTH_SEED_KEY_FILE'] as string, row.c, `signing-key:${row.kid}`).toString('utf8'));
    const sessionId = randomUUID();
    await pool.query(`insert into auth.sessions (id, user_id, auth_time, amr, expires_at) values ($1, $2, now(), '{pwd,otp}', now() + interval '1 hour')`, [sessionId, adminId]);
    const adminToken = await issueToken(
      { kid: row.kid, privateJwk },
      { issuer: 'vigil-auth-gateway', audience: ['auth-gateway', 'vault'], subject: adminId, principalType: 'user', roles: ['admin'], authTime: Math.floor(Date.now() / 1000), amr: ['pwd', 'otp'], ttlSec: 300, sessionId },
    );
    const created = await post(`${gateway}/api/vault/v1/transit/keys/totp-seeds`, {}, adminToken);
    expect(created.status).toBeLessThan(300);

    // A real first login and enrolment: the seed goes through the vault.
    const login = await post(`${gateway}/v1/auth/login`, { username: 'seed-admin', password });
    expect(login.body.status).toBe('mfa_enrolment_required');
    const enrol = await post(`${gateway}/v1/auth/mfa/enrol`, { enrolmentToken: login.body.enrolmentToken });
    expect(enrol.status).toBe(200);
    const stored = (await pool.query(`select seed_ciphertext from auth.totp_enrolments where user_id = $1`, [adminId])).rows[0].seed_ciphertext as string;
    expect(stored).toMatch(/^vault:totp-seeds:vigil:v1:/);
    expect(stored).not.toContain(enrol.body.manualEntryKey);
    const confirmed = await post(`${gateway}/v1/auth/mfa/enrol/confirm`, { enrolmentToken: login.body.enrolmentToken, code: totp(base32Decode(enrol.body.manualEntryKey)) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.accessToken).toEqual(expect.any(String));
  }, 120_000);
});
