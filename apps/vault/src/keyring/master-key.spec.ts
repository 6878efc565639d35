import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMasterKey } from './master-key';

describe('readMasterKey', () => {
  const key = randomBytes(32);
  const dir = mkdtempSync(path.join(tmpdir(), 'vault-mk-'));

  it('reads base64 from the variable', () => {
    expect(readMasterKey({ VIGIL_VAULT_MASTER_KEY: key.toString('base64') })).toEqual({ key });
  });

  it('reads raw bytes or base64 from the file', () => {
    writeFileSync(path.join(dir, 'raw'), key);
    writeFileSync(path.join(dir, 'b64'), `${key.toString('base64')}\n`);
    expect(readMasterKey({ VIGIL_VAULT_MASTER_KEY_FILE: path.join(dir, 'raw') })).toEqual({ key });
    expect(readMasterKey({ VIGIL_VAULT_MASTER_KEY_FILE: path.join(dir, 'b64') })).toEqual({ key });
  });

  it('says what is wrong without repeating the value', () => {
    const short = randomBytes(16).toString('base64');
    const cases = [
      [{}, /no master key: set VIGIL_VAULT_MASTER_KEY/],
      [{ VIGIL_VAULT_MASTER_KEY: short }, /must be the base64 of 32 bytes \(44 characters ending in =; got 24 characters\)/],
      [{ VIGIL_VAULT_MASTER_KEY: short, VIGIL_VAULT_MASTER_KEY_FILE: '/x' }, /set only one/],
      [{ VIGIL_VAULT_MASTER_KEY_FILE: path.join(dir, 'missing') }, /cannot be read \(ENOENT\)/],
    ] as const;
    for (const [source, message] of cases) {
      const result = readMasterKey(source);
      expect('problem' in result && result.problem).toMatch(message);
      expect(JSON.stringify(result)).not.toContain(short);
    }
  });
});
