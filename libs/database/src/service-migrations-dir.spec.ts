import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrationError, serviceMigrationsDir } from './migrations';

describe('serviceMigrationsDir', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-mdir-'));
  const migrations = path.join(root, 'apps/vault/migrations');
  mkdirSync(migrations, { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['the sources', 'apps/vault/src/db'],
    ['the build', 'dist/apps/vault/src/db'],
  ])('finds apps/<service>/migrations from %s', (_from, dir) => {
    expect(serviceMigrationsDir('vault', path.join(root, dir))).toBe(migrations);
  });

  it('names the service when there is no such folder', () => {
    expect(() => serviceMigrationsDir('reporter', path.join(root, 'apps/reporter/src'))).toThrow(MigrationError);
    expect(() => serviceMigrationsDir('reporter', path.join(root, 'apps/reporter/src'))).toThrow(/apps\/reporter\/migrations not found/);
  });
});
