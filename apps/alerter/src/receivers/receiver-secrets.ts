import { readFileSync } from 'node:fs';
import type { SecretRef } from '../routing/routing.schema';

/** A receiver credential, read when used: a vault secret follows rotations without a restart. */
export type SecretValue = () => string;
export type SecretResolver = (ref: SecretRef) => SecretValue;

/**
 * An environment variable or a file, read once at start-up. Errors name the variable or
 * file, never a value.
 */
export function resolveSecret(ref: Exclude<SecretRef, { vault: string }>, receiver: string, env: NodeJS.ProcessEnv = process.env): string {
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

/** Where a `{ vault: "<path>#<field>" }` reference points. */
export function parseVaultRef(ref: string): { path: string; field: string } {
  const at = ref.lastIndexOf('#');
  return { path: ref.slice(0, at), field: ref.slice(at + 1) };
}

/**
 * The resolver of one receiver: env and file references read now; vault references looked
 * up in what was loaded from the vault at start-up (see vault-secrets.ts).
 */
export function secretResolver(receiver: string, vault?: (path: string, field: string) => string, env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return (ref) => {
    if ('vault' in ref) {
      const { path, field } = parseVaultRef(ref.vault);
      if (!vault) throw new Error(`receiver ${receiver}: vault secret ${path} was not loaded`);
      vault(path, field); // a missing field fails at start-up, naming the path
      return () => vault(path, field);
    }
    const value = resolveSecret(ref, receiver, env);
    return () => value;
  };
}
