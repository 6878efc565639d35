import { z } from 'zod';
import { env } from './env-vars';
import { loadConfigOrExit } from './load-config-or-exit';

describe('loadConfigOrExit', () => {
  const schema = z.object({ APP_PORT: env.port(), APP_TOKEN: env.string() });

  it('returns the config when it is valid', () => {
    expect(loadConfigOrExit(schema, { APP_PORT: '80', APP_TOKEN: 't' })).toEqual({ APP_PORT: 80, APP_TOKEN: 't' });
  });

  it('prints every problem to stderr and exits 1', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      loadConfigOrExit(schema, { APP_PORT: 'x', APP_TOKEN: '' });
      expect(exit).toHaveBeenCalledWith(1);
      const printed = write.mock.calls.map((call) => String(call[0])).join('');
      expect(printed).toContain('APP_PORT: expected a TCP port');
      expect(printed).toContain('APP_TOKEN: expected a non-empty string; received nothing (the variable is not set)');
    } finally {
      exit.mockRestore();
      write.mockRestore();
    }
  });
});
