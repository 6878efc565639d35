import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { Secret } from '@vigil/vault-client';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HEALTH_CHECKS } from '../service.constants';
import { ServiceModule } from '../service.module';
import { readClientSecret, type ServiceVaultAccess } from '../vault/service-vault-access';
import { PostgresModule } from './postgres.module';
import { poolConfigWithCredential } from './vault-database-credential';

const lease = { id: 'l', expiresAt: new Date(Date.now() + 60_000), renewable: true };
const credential = (version: number, data: Record<string, string>) => new Secret('db/alerter', { version, data, lease });
const dir = mkdtempSync(path.join(tmpdir(), 'pg-vault-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('poolConfigWithCredential', () => {
  it('keeps host, port, database and options of the URL, takes the username from the vault and reads the password per call', () => {
    const secret = credential(1, { username: 'alerter_app', password: 'pw-one' });
    const config = poolConfigWithCredential('postgres://postgres@db.internal:6543/vigil?options=-c%20search_path%3Dalerter', secret);
    expect(config).toMatchObject({ host: 'db.internal', port: 6543, database: 'vigil', user: 'alerter_app', options: '-c search_path=alerter' });
    expect(config).not.toHaveProperty('connectionString');
    expect(typeof config.password).toBe('function');
    expect((config.password as () => string)()).toBe('pw-one');
  });

  it('refuses a URL that carries a password too, without showing it', () => {
    let error: Error | undefined;
    try {
      poolConfigWithCredential('postgres://app:url-password-123@127.0.0.1/vigil', credential(1, { username: 'a', password: 'b' }));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/VIGIL_DATABASE_URL carries a password while VIGIL_DATABASE_VAULT_PATH \(db\/alerter\) is set/);
    expect(error?.message).not.toContain('url-password-123');
  });
});

describe('readClientSecret', () => {
  it('reads the secret alone or the JSON that vigil service-accounts writes', () => {
    writeFileSync(path.join(dir, 'plain'), 'the-secret\n');
    writeFileSync(path.join(dir, 'json'), JSON.stringify({ clientId: 'svc-reporter', clientSecret: 's3' }));
    expect(readClientSecret(path.join(dir, 'plain'), 'svc-x', 'VIGIL_X_CLIENT_SECRET_FILE')).toEqual({ clientId: 'svc-x', clientSecret: 'the-secret' });
    expect(readClientSecret(path.join(dir, 'json'), 'svc-x', 'VIGIL_X_CLIENT_SECRET_FILE')).toEqual({ clientId: 'svc-reporter', clientSecret: 's3' });
  });

  it('names the variable and the file when it cannot use it', () => {
    writeFileSync(path.join(dir, 'nosecret'), JSON.stringify({ clientId: 'svc-x' }));
    expect(() => readClientSecret(path.join(dir, 'missing'), 'svc-x', 'VIGIL_X_CLIENT_SECRET_FILE')).toThrow(/^VIGIL_X_CLIENT_SECRET_FILE: cannot read .*missing \(ENOENT\)$/);
    expect(() => readClientSecret(path.join(dir, 'nosecret'), 'svc-x', 'VIGIL_X_CLIENT_SECRET_FILE')).toThrow(/VIGIL_X_CLIENT_SECRET_FILE: .*nosecret has no "clientSecret"/);
  });
});

describe('PostgresModule with VIGIL_DATABASE_VAULT_PATH', () => {
  @Module({ providers: [{ provide: HEALTH_CHECKS, useValue: [] }], exports: [HEALTH_CHECKS] })
  class NoChecks {}
  const access: ServiceVaultAccess = { url: 'http://127.0.0.1:1', tokenUrl: 'http://127.0.0.1:1/v1/auth/token', clientId: 'svc-x', clientSecretFile: undefined, settings: { url: 'VIGIL_X_VAULT_URL', clientSecretFile: 'VIGIL_X_CLIENT_SECRET_FILE' } };
  const startFails = async (postgres: unknown, env: Record<string, string>) => {
    const config = loadConfig(baseServiceConfig('x', 0), env);
    @Module({ imports: [postgres as typeof PostgresModule, NoChecks], exports: [NoChecks] })
    class App {}
    const moduleRef = Test.createTestingModule({ imports: [ServiceModule.forRoot({ name: 'x', module: App, config, logger: createLogger('x', 'silent') })] });
    return moduleRef.compile().then(
      () => 'started',
      (e: Error) => e.message,
    );
  };

  it('is refused by a service without vault access (the vault itself), naming the variable', async () => {
    expect(await startFails(PostgresModule, { VIGIL_DATABASE_VAULT_PATH: 'db/x' })).toMatch(/^VIGIL_DATABASE_VAULT_PATH db\/x: the x does not read its database credential from the vault/);
  });

  it('stops start-up naming the missing setting of the service account', async () => {
    expect(await startFails(PostgresModule.withVaultAccess(() => access), { VIGIL_DATABASE_VAULT_PATH: 'db/x' })).toBe(
      'VIGIL_DATABASE_VAULT_PATH db/x needs VIGIL_X_CLIENT_SECRET_FILE: the service reads the vault with its service account\'s secret',
    );
    expect(await startFails(PostgresModule.withVaultAccess(() => ({ ...access, url: undefined })), { VIGIL_DATABASE_VAULT_PATH: 'db/x' })).toMatch(/^VIGIL_DATABASE_VAULT_PATH db\/x needs VIGIL_X_VAULT_URL/);
  });
});
