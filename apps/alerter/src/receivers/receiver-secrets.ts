import { readFileSync } from 'node:fs';
import type { SecretRef } from '../routing/routing.schema';

/**
 * The one place receiver credentials are read (signing keys, PagerDuty routing keys, Slack
 * webhook URLs): an environment variable or a file, at start-up. The vault client replaces
 * this function later. Errors name the variable or file, never a value.
 */
export function resolveSecret(ref: SecretRef, receiver: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env]?.trim();
    if (!value) throw new Error(`receiver ${receiver}: environment variable ${ref.env} is not set; set it to the receiver's secret`);
    return value;
  }
  let value: string;
  try {
    value = readFileSync(ref.file, 'utf8').trim();
  } catch (error) {
    throw new Error(`receiver ${receiver}: cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!value) throw new Error(`receiver ${receiver}: secret file ${ref.file} is empty`);
  return value;
}
