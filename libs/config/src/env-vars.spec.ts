import { z } from 'zod';
import { env } from './env-vars';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

// Each helper through loadConfig, as services use them: value in, typed value or a
// ConfigError naming the variable out.
function load<T extends z.ZodType>(schema: T, value: string | undefined): z.output<T> {
  return (loadConfig(z.object({ X: schema }), { X: value }) as { X: z.output<T> }).X;
}

function problem<T extends z.ZodType>(schema: T, value: string | undefined) {
  try {
    load(schema, value);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems[0];
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('env helpers', () => {
  describe('port', () => {
    it.each([
      ['8080', 8080],
      [' 9092 ', 9092],
      ['0', 0],
      ['65535', 65535],
    ])('accepts %j', (text, expected) => expect(load(env.port(), text)).toBe(expected));

    it.each(['65536', '-1', '80a', '8.5', 'http'])('rejects %j', (text) => {
      expect(problem(env.port(), text)).toMatchObject({ variable: 'X', expected: expect.stringContaining('TCP port') });
    });

    it('rejects 0 when a real port is required', () => {
      expect(problem(env.port({ allowZero: false }), '0').expected).toContain('1-65535');
    });
  });

  describe('kafkaBrokers', () => {
    it('splits a list into host:port entries', () => {
      expect(load(env.kafkaBrokers(), '127.0.0.1:9092, kafka-2.internal:19092,[::1]:9093')).toEqual([
        '127.0.0.1:9092',
        'kafka-2.internal:19092',
        '[::1]:9093',
      ]);
    });

    it.each(['127.0.0.1', 'kafka:0', 'kafka:99999', ':9092', 'a:1,,b:2', 'kafka:9092;other:9092', '::1:9092', 'http://kafka:9092'])(
      'rejects %j naming the expected form',
      (text) => expect(problem(env.kafkaBrokers(), text).expected).toContain('host:port'),
    );
  });

  describe('url', () => {
    it('accepts a URL with an allowed protocol', () => {
      expect(load(env.url({ protocols: ['postgres', 'postgresql'] }), 'postgresql://u@db:5432/vigil')).toBe('postgresql://u@db:5432/vigil');
    });

    it('rejects another protocol and says which ones are allowed', () => {
      expect(problem(env.url({ protocols: ['redis', 'rediss'] }), 'http://cache:6379').expected).toBe(
        'a URL starting with redis:// or rediss://',
      );
    });

    it('rejects something that is not a URL', () => {
      expect(problem(env.url(), 'localhost:8081').expected).toContain('absolute URL');
    });
  });

  describe('boolean', () => {
    it.each([
      ['true', true],
      ['YES', true],
      ['1', true],
      ['on', true],
      ['false', false],
      ['No', false],
      ['0', false],
      ['off', false],
    ])('reads %j', (text, expected) => expect(load(env.boolean(), text)).toBe(expected));

    it('rejects anything else', () => expect(problem(env.boolean(), 'maybe').expected).toContain('true/false'));
  });

  describe('duration', () => {
    it.each([
      ['500ms', 500],
      ['30s', 30_000],
      ['1.5s', 1_500],
      ['2m', 120_000],
      ['1h', 3_600_000],
    ])('reads %j as milliseconds', (text, expected) => expect(load(env.duration(), text)).toBe(expected));

    it.each(['30', 's', '10 sec', '-5s', '1d'])('rejects %j, asking for a unit', (text) => {
      expect(problem(env.duration(), text).expected).toContain('ms, s, m or h');
    });
  });

  describe('logLevel', () => {
    it('accepts a pino level', () => expect(load(env.logLevel(), 'debug')).toBe('debug'));

    it('rejects another word, listing the levels', () => {
      expect(problem(env.logLevel(), 'verbose').expected).toBe('one of fatal, error, warn, info, debug, trace, silent');
    });
  });

  describe('host', () => {
    it.each(['127.0.0.1', '::', '::1', 'localhost', 'api.vigil.internal'])('accepts %j', (text) => {
      expect(load(env.host(), text)).toBe(text);
    });

    it.each(['http://x', 'a b', 'host:80'])('rejects %j', (text) => expect(problem(env.host(), text).expected).toContain('host name'));
  });

  describe('int and string', () => {
    it('bounds an integer', () => {
      expect(load(env.int({ min: 1, max: 10 }), '10')).toBe(10);
      expect(problem(env.int({ min: 1, max: 10 }), '11').expected).toBe('an integer from 1 to 10');
    });

    it('requires a string to be present', () => {
      expect(problem(env.string(), undefined)).toEqual({
        variable: 'X',
        expected: 'a non-empty string',
        received: 'nothing (the variable is not set)',
      });
    });
  });
});
