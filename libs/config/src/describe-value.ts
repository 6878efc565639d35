import { isSecretName, maskUrlCredentials } from './secret-names';

const MAX_SHOWN = 80;

/** How a received environment value is shown in an error: never a secret's value. */
export function describeReceived(variable: string, value: string | undefined): string {
  if (value === undefined) return 'nothing (the variable is not set)';
  if (value === '') return 'an empty string';
  if (isSecretName(variable)) {
    return `a ${value.length}-character value (not shown: the name marks it as a secret)`;
  }
  const masked = maskUrlCredentials(value);
  const shown = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
  return JSON.stringify(shown);
}
