import { z } from 'zod';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

/**
 * For a service's main: loads the config, or prints every bad variable to stderr and
 * exits 1 before anything starts. Errors other than a ConfigError are rethrown.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return process.exit(1);
  }
}
