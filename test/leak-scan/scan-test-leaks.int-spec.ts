// The suite-wide leak scan (scripts/scan-test-leaks.mjs) finds a registered secret in a log
// file and on Kafka — in any of the forms it promises — and stays quiet when it is absent.
// It runs here on its own registrations, log dir and topic prefix, so it neither sees nor
// feeds the real scan of the run.
import { KafkaAdmin } from '@vigil/kafka';
import { assertInfraUp, testPrefix, type InfraEnv } from '@vigil/testing';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE } from '../support/stack';
import { REPO_ROOT } from '../support/tools';

const run = promisify(execFile);
let infra: InfraEnv;
let admin: KafkaAdmin;
let dir: string;
const prefix = testPrefix();
const topic = `${prefix}leaky.v1`;

const secretLine = (what: string, value: string | Buffer) => `${JSON.stringify({ kind: 'secret', what, hex: Buffer.from(value).toString('hex') })}\n`;

/** Produces with kcat (an independent client); `header` goes on every record of the call. */
async function produce(records: { key: string; value: string }[], header?: string): Promise<void> {
  const child = spawn('kcat', ['-P', '-b', infra.kafkaBrokers.join(','), '-t', topic, '-K', '\t', ...(header ? ['-H', header] : [])], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(records.map((r) => `${r.key}\t${r.value}\n`).join(''));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`kcat -P failed: ${stderr}`);
}

async function scan(secrets: string, logs: string): Promise<{ code: number; out: string }> {
  const args = [path.join(REPO_ROOT, 'scripts/scan-test-leaks.mjs'), '--secrets', secrets, '--logs', logs, '--topic-prefix', prefix, '--brokers', infra.kafkaBrokers[0]];
  try {
    const { stdout } = await run(NODE, args, { cwd: REPO_ROOT });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

beforeAll(async () => {
  infra = await assertInfraUp({ servers: ['kafka'] });
  admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: `${prefix}leak-scan-test` });
  await admin.createTopic({ name: topic, partitions: 1 });
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-leak-scan-test-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin?.close();
});

describe('scripts/scan-test-leaks.mjs', () => {
  const planted = `planted-${randomBytes(12).toString('hex')}`;
  const inHeader = `header-${randomBytes(12).toString('hex')}`;
  const binaryKey = randomBytes(32);
  const absent = `absent-${randomBytes(12).toString('hex')}`;

  it('names the secret and where it leaked — a log file line and a Kafka message — never the value', async () => {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    // The raw value in one log, the base64 (mid-string, odd alignment) of the binary key in another.
    writeFileSync(path.join(logs, 'vault.123.log'), `{"msg":"start"}\n{"msg":"oops","detail":"x ${planted} y"}\n`);
    writeFileSync(path.join(logs, 'alerter.456.log'), `{"msg":"k","blob":"ab${Buffer.concat([Buffer.from('z'), binaryKey]).toString('base64')}"}\n`);
    await produce([
      { key: 'k1', value: JSON.stringify({ note: 'nothing here' }) },
      { key: 'k2', value: JSON.stringify({ token: Buffer.from(planted).toString('base64url') }) },
    ]);
    await produce([{ key: 'k3', value: 'plain' }], `trace=${Buffer.from(inHeader).toString('hex')}`);
    const secrets = path.join(dir, 'secrets.jsonl');
    writeFileSync(secrets, secretLine('planted password', planted) + secretLine('header secret', inHeader) + secretLine('binary key', binaryKey) + secretLine('absent secret', absent));

    const { code, out } = await scan(secrets, logs);

    expect(code).toBe(1);
    expect(out).toContain(`LEAK: planted password (raw) in ${path.relative(REPO_ROOT, logs)}/vault.123.log:2`);
    // 'base64 or base64url' when the encoding has no + or / (the two forms are then the same).
    expect(out).toMatch(new RegExp(`LEAK: binary key \\(base64( or base64url)?\\) in ${path.relative(REPO_ROOT, logs)}/alerter\\.456\\.log:1\n`));
    expect(out).toContain(`LEAK: planted password (base64 or base64url) in kafka ${topic}/0@1 (value)`);
    expect(out).toContain(`LEAK: header secret (hex) in kafka ${topic}/0@2 (headers)`);
    expect(out).not.toContain('absent secret');
    expect(out).toMatch(/logs: {2}2 files, 3 lines/);
    expect(out).toMatch(/kafka: 1 topics \(1 read whole\), 3 messages/);
    expect(out).toContain('leak scan: FAILED, 4 leaks');
    for (const value of [planted, inHeader, absent, binaryKey.toString('base64'), binaryKey.toString('hex')]) expect(out).not.toContain(value);
  });

  it('finds nothing when the registered secrets are absent — not even the base64 of a different value', async () => {
    const logs = path.join(dir, 'clean-logs');
    mkdirSync(logs);
    const other = `other-${randomBytes(12).toString('hex')}`;
    // A value sharing the secret's prefix, base64'd, must not be taken for the secret.
    writeFileSync(path.join(logs, 'vault.789.log'), `{"msg":"fine","v":"${Buffer.from(other).toString('base64')}","p":"${planted.slice(0, 7)}"}\n`);
    const secrets = path.join(dir, 'clean.jsonl');
    writeFileSync(secrets, secretLine('absent secret', absent) + secretLine('near miss', `other-${randomBytes(12).toString('hex')}`));

    const { code, out } = await scan(secrets, logs);

    expect(out).toMatch(/logs: {2}1 files, 1 lines, .*: no secret found/);
    expect(out).toMatch(/kafka: 1 topics \(1 read whole\), 3 messages, .*: no secret found/);
    expect(out).toContain('leak scan: ok');
    expect(code).toBe(0);
  });

  it('refuses to pass a run that registered no secret', async () => {
    const { code, out } = await scan(path.join(dir, 'missing.jsonl'), path.join(dir, 'logs'));
    expect(code).toBe(2);
    expect(out).toContain('no secret registered');
  });
});
