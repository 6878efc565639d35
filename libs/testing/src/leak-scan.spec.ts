import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LEAK_SCAN_FILE_ENV, LeakScanSecrets, deferTopicDeletionToLeakScan, leakScanActive, registerSecretForLeakScan, registerSecretsInBody } from './leak-scan';

describe('leak-scan registration', () => {
  let dir: string;
  let file: string;
  const registered = () =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; what?: string; hex?: string; prefix?: string })
      .map((r) => (r.kind === 'secret' ? [r.what, Buffer.from(r.hex as string, 'hex').toString()] : [r.kind, r.prefix]));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-leak-scan-'));
    file = path.join(dir, 'secrets.jsonl');
    process.env[LEAK_SCAN_FILE_ENV] = file;
  });
  afterEach(() => {
    delete process.env[LEAK_SCAN_FILE_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends the secret and its name, returns the value, and skips values under 8 bytes', () => {
    expect(registerSecretForLeakScan('a long password', 'admin password')).toBe('a long password');
    registerSecretForLeakScan('123456', 'TOTP code');
    registerSecretForLeakScan(Buffer.from('raw key bytes'), 'key');
    expect(registered()).toEqual([
      ['admin password', 'a long password'],
      ['key', 'raw key bytes'],
    ]);
  });

  it('does nothing when npm test did not ask for it (a single-file run)', () => {
    delete process.env[LEAK_SCAN_FILE_ENV];
    expect(leakScanActive()).toBe(false);
    expect(registerSecretForLeakScan('a long password', 'admin password')).toBe('a long password');
    expect(deferTopicDeletionToLeakScan('t123.')).toBe(false);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });

  it('finds the secrets of an HTTP body by key, at any depth and in arrays, and nothing else', () => {
    registerSecretsInBody(
      { username: 'carol-the-user', password: 'carol pass 1234', session: { accessToken: 'eyJ.access.token', expiresIn: 900 }, recoveryCodes: ['ABCD-EFGH-IJKL', 'MNOP-QRST-UVWX'], data: { routing_key: 'pd-routing-key-1' } },
      'POST /v1/x',
    );
    expect(registered()).toEqual([
      ['POST /v1/x password', 'carol pass 1234'],
      ['POST /v1/x accessToken', 'eyJ.access.token'],
      ['POST /v1/x recoveryCodes', 'ABCD-EFGH-IJKL'],
      ['POST /v1/x recoveryCodes', 'MNOP-QRST-UVWX'],
      ['POST /v1/x routing_key', 'pd-routing-key-1'],
    ]);
  });

  it('LeakScanSecrets is a Set that also registers what is added, under the test name', () => {
    const secrets = new LeakScanSecrets('login test', ['initial secret']);
    secrets.add('bob password 42', 'bob password');
    expect([...secrets]).toEqual(['initial secret', 'bob password 42']);
    expect(registered()).toEqual([
      ['login test secret', 'initial secret'],
      ['login test bob password', 'bob password 42'],
    ]);
  });

  it('defers the deletion of the topics under a prefix to the scan', () => {
    expect(deferTopicDeletionToLeakScan('t123.')).toBe(true);
    expect(registered()).toEqual([['delete-topics', 't123.']]);
  });
});
