import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, TEST_LOG_DIR_ENV } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the service, a word level and an ISO time', () => {
    const out = capture();
    createLogger('vault', 'info', out.stream).info({ secretId: 'db/audit-writer' }, 'secret read');
    const [record] = out.records();
    expect(record).toMatchObject({ service: 'vault', level: 'info', msg: 'secret read', secretId: 'db/audit-writer' });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
  });

  it('keeps the service in child loggers', () => {
    const out = capture();
    createLogger('alerter', 'info', out.stream).child({ context: 'Deliveries' }).warn('retrying');
    expect(out.records()[0]).toMatchObject({ service: 'alerter', context: 'Deliveries', level: 'warn' });
  });

  it('drops lines below the level', () => {
    const out = capture();
    const logger = createLogger('reporter', 'warn', out.stream);
    logger.info('not shown');
    logger.error('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('never writes a secret, wherever a common secret key appears', () => {
    const out = capture();
    const logger = createLogger('auth-gateway', 'trace', out.stream);
    const secret = 'S3CRET-VALUE-42';
    logger.info({ password: secret, apiKey: secret, token: secret }, 'top level');
    logger.info({ user: { name: 'ada', password: secret }, credentials: { clientSecret: secret, privateKey: secret } }, 'nested');
    logger.info({ config: { db: { connectionString: secret } }, a: { b: { c: { secret } } } }, 'deeper');
    logger.info(
      {
        req: { method: 'GET', url: '/x', headers: { authorization: `Bearer ${secret}`, cookie: `sid=${secret}`, 'x-api-key': secret } },
        res: { statusCode: 200, headers: { 'set-cookie': `sid=${secret}` } },
      },
      'request completed',
    );
    logger.child({ session: { refreshToken: secret } }).warn({ body: { otp: secret, mfaCode: secret } }, 'child');

    expect(out.lines).toHaveLength(5);
    for (const line of out.lines) expect(line).not.toContain(secret);
    const [top, nested, deeper, request] = out.records();
    expect(top).toMatchObject({ password: '[REDACTED]', apiKey: '[REDACTED]', token: '[REDACTED]' });
    expect(nested).toMatchObject({ user: { name: 'ada', password: '[REDACTED]' } });
    expect(deeper).toMatchObject({ config: { db: { connectionString: '[REDACTED]' } }, a: { b: { c: { secret: '[REDACTED]' } } } });
    expect(request).toMatchObject({ req: { method: 'GET', headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' } } });
  });

  describe(`with ${TEST_LOG_DIR_ENV} set (npm test's integration suite)`, () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-logs-'));
      process.env[TEST_LOG_DIR_ENV] = dir;
    });
    afterEach(() => {
      delete process.env[TEST_LOG_DIR_ENV];
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const fileRecords = (service: string) =>
      fs
        .readFileSync(path.join(dir, `${service}.${process.pid}.log`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);

    it('also writes a silent logger\'s lines, from debug up and redacted, to <service>.<pid>.log', () => {
      const logger = createLogger('tee-silent', 'silent');
      logger.trace('too fine');
      logger.debug({ password: 'S3CRET-VALUE-42' }, 'login attempt');
      logger.error('failed');
      const records = fileRecords('tee-silent');
      expect(records.map((r) => [r.level, r.msg])).toEqual([
        ['debug', 'login attempt'],
        ['error', 'failed'],
      ]);
      expect(records[0]).toMatchObject({ service: 'tee-silent', password: '[REDACTED]' });
    });

    it('keeps the destination at the level asked for', () => {
      const out = capture();
      const logger = createLogger('tee-warn', 'warn', out.stream);
      logger.debug('file only');
      logger.warn('both');
      expect(out.records().map((r) => r.msg)).toEqual(['both']);
      expect(fileRecords('tee-warn').map((r) => r.msg)).toEqual(['file only', 'both']);
    });
  });
});
