import { z } from 'zod';
import { ConfigError } from './config-error';
import { env } from './env-vars';
import { loadConfig } from './load-config';

const schema = z.object({
  APP_PORT: env.port().default(8080),
  APP_DEBUG: env.boolean().default(false),
  APP_NAME: env.string(),
  APP_DB_PASSWORD: env.string().min(12, 'a password of at least 12 characters'),
  APP_API_KEY: env.url().optional(),
  APP_UPSTREAM: env.url().optional(),
  APP_LEVEL: z.enum(['a', 'b']).optional(),
});

function configErrorOf(source: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(schema, source);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const valid = { APP_NAME: 'vault', APP_DB_PASSWORD: 'correct horse battery' };

  it('returns typed values with defaults applied', () => {
    expect(loadConfig(schema, { ...valid, APP_PORT: '9000' })).toEqual({
      APP_PORT: 9000,
      APP_DEBUG: false,
      APP_NAME: 'vault',
      APP_DB_PASSWORD: 'correct horse battery',
    });
  });

  it('returns a frozen object', () => {
    const config = loadConfig(schema, valid);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { APP_PORT: number }).APP_PORT = 1;
    }).toThrow(TypeError);
  });

  it('treats an empty variable as unset, so the default applies', () => {
    expect(loadConfig(schema, { ...valid, APP_PORT: '' }).APP_PORT).toBe(8080);
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig(schema, { ...valid, PATH: '/usr/bin' })).not.toHaveProperty('PATH');
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    Object.assign(process.env, valid, { APP_PORT: '7000' });
    try {
      expect(loadConfig(schema).APP_PORT).toBe(7000);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('lists every bad variable at once, with what was expected and what was received', () => {
    const error = configErrorOf({ APP_PORT: 'eighty', APP_DEBUG: 'maybe', APP_DB_PASSWORD: 'short', APP_LEVEL: 'c' });
    expect(error.problems).toEqual([
      { variable: 'APP_PORT', expected: 'a TCP port number (0-65535; 0 picks a free port)', received: '"eighty"' },
      { variable: 'APP_DEBUG', expected: 'a boolean (true/false, 1/0, yes/no, on/off)', received: '"maybe"' },
      { variable: 'APP_NAME', expected: 'a non-empty string', received: 'nothing (the variable is not set)' },
      {
        variable: 'APP_DB_PASSWORD',
        expected: 'a password of at least 12 characters',
        received: 'a 5-character value (not shown: the name marks it as a secret)',
      },
      { variable: 'APP_LEVEL', expected: 'one of "a"|"b"', received: '"c"' },
    ]);
    expect(error.message).toContain('5 environment variables to fix');
    expect(error.message).toContain('  - APP_PORT: expected a TCP port number (0-65535; 0 picks a free port); received "eighty"');
  });

  it('never prints the value of a variable whose name marks a secret', () => {
    const error = configErrorOf({ ...valid, APP_DB_PASSWORD: 'hunter2', APP_API_KEY: 'sk_live_abcdef' });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('sk_live_abcdef');
    expect(error.problems.map((p) => p.variable)).toEqual(['APP_DB_PASSWORD', 'APP_API_KEY']);
  });

  it('masks the password of a URL in a variable whose name does not look secret', () => {
    const error = configErrorOf({ ...valid, APP_UPSTREAM: 'not a url://admin:s3cret@db' });
    expect(error.message).not.toContain('s3cret');
    expect(error.problems[0].received).toBe('"not a url://admin:***@db"');
  });

  it('shortens a long value', () => {
    const error = configErrorOf({ ...valid, APP_UPSTREAM: 'x'.repeat(500) });
    expect(error.problems[0].received).toBe(`"${'x'.repeat(80)}…"`);
  });
});
