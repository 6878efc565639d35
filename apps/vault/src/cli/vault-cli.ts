import { VaultClientError, VaultHttp } from '@vigil/vault-client';
import { readFileSync, writeFileSync } from 'node:fs';

const REWRAP_BATCH = 1000; // the vault's batch limit

export const USAGE = `usage: vigil vault <command> [options]

  status                                    seal state and keyring version (no token needed)
  list [prefix]                             secret paths and their current versions
  get <path> [--version N] [--field F]      a secret's data as JSON, or one field's value (step-up)
  put <path> field=value|field=@file|field=- ... [--cas N]
                                            write a new version (step-up); @file reads a file, - stdin
  rotate                                    new keyring key; every stored secret and transit key re-sealed
  rotate --transit <name>                   add a version to a transit key
  rekey --new-key-file <file>               seal the keyring under a new master key (32 bytes or base64)
  rewrap <transit-key> --in <file> [--out <file>]
                                            re-encrypt every ciphertext of a file (one per line) under the
                                            key's latest version, in batches; same lines out (default stdout)
  lease revoke <lease-id>                   revoke one lease
  lease revoke-prefix <path>                revoke every lease on a path and below

options:
  --url <url>          the vault (default $VIGIL_VAULT_URL or http://127.0.0.1:8101)
  --token-file <file>  an access token from the auth-gateway (default $VIGIL_VAULT_TOKEN)
`;

export interface CliIo {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  stdin(): Promise<string>;
}

class UsageError extends Error {}

/** The operator's `vigil vault` command: every action goes through the vault's API, so it is authorized and audited there. Returns the exit code. */
export async function runVaultCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positional, flags } = parseArgs(argv);
    const [command, ...rest] = positional;
    if (!command || flags['help']) {
      (command ? io.out : io.err)(USAGE);
      return command ? 0 : 2;
    }
    const url = flags['url'] ?? io.env['VIGIL_VAULT_URL'] ?? 'http://127.0.0.1:8101';
    const token = async () => {
      const fromFile = flags['token-file'] ? readFileSync(flags['token-file'], 'utf8').trim() : undefined;
      const value = fromFile ?? io.env['VIGIL_VAULT_TOKEN'];
      if (!value) throw new Error('give an access token: --token-file <file> or VIGIL_VAULT_TOKEN');
      return value;
    };
    const http = new VaultHttp({ url, token, timeoutMs: 30_000 });
    const print = (value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);

    switch (command) {
      case 'status': {
        const res = await fetch(`${url.replace(/\/+$/, '')}/v1/sys/seal-status`).catch((e: Error) => {
          throw new VaultClientError('unreachable', `the vault at ${url} is unreachable (${e.message})`);
        });
        const status = await res.json();
        print(status);
        return (status as { sealed: boolean }).sealed ? 1 : 0;
      }
      case 'list': {
        const prefix = rest[0];
        print(await http.call('GET', `/v1/secrets/list${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`, prefix ?? 'secrets'));
        return 0;
      }
      case 'get': {
        const path = required(rest[0], 'get <path>');
        const query = flags['version'] ? `?version=${encodeURIComponent(flags['version'])}` : '';
        const answer = await http.call<{ version: number; data: Record<string, string>; lease: { id: string } }>('GET', `/v1/secrets/data/${path}${query}`, path);
        if (flags['field']) {
          const value = answer.data[flags['field']];
          if (value === undefined) throw new UsageError(`secret ${path} v${answer.version} has no field "${flags['field']}" (it has: ${Object.keys(answer.data).join(', ')})`);
          io.out(`${value}\n`);
        } else {
          print(answer.data);
        }
        // The CLI holds no renewals: give the lease back at once.
        await http.call('POST', '/v1/sys/leases/revoke', path, { leaseId: answer.lease.id }).catch(() => undefined);
        return 0;
      }
      case 'put': {
        const path = required(rest[0], 'put <path> field=value ...');
        if (rest.length < 2) throw new UsageError('put: give at least one field=value (field=@file reads a file, field=- reads stdin)');
        const data: Record<string, string> = {};
        for (const pair of rest.slice(1)) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new UsageError(`put: "${pair.split('=')[0]}" is not field=value`);
          const [field, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
          data[field] = value === '-' ? (await io.stdin()).replace(/\r?\n$/, '') : value.startsWith('@') ? readFileSync(value.slice(1), 'utf8').replace(/\r?\n$/, '') : value;
        }
        const body = { data, ...(flags['cas'] !== undefined ? { cas: integer(flags['cas'], '--cas') } : {}) };
        print(await http.call('PUT', `/v1/secrets/data/${path}`, path, body));
        return 0;
      }
      case 'rotate': {
        if (flags['transit']) print(await http.call('POST', `/v1/transit/keys/${encodeURIComponent(flags['transit'])}/rotate`, `transit-key:${flags['transit']}`));
        else print(await http.call('POST', '/v1/sys/keyring/rotate', 'keyring'));
        return 0;
      }
      case 'rekey': {
        const file = required(flags['new-key-file'], 'rekey --new-key-file <file>');
        const raw = readFileSync(file);
        const key = raw.length === 32 ? raw.toString('base64') : raw.toString('latin1').trim();
        raw.fill(0);
        print(await http.call('POST', '/v1/sys/keyring/rekey', 'keyring', { newMasterKey: key }));
        io.err('vigil vault: rekeyed. Give the vault the new master key now (replace its key file, or set VIGIL_VAULT_MASTER_KEY and restart): the old one no longer opens the keyring.\n');
        return 0;
      }
      case 'rewrap': {
        const key = required(rest[0], 'rewrap <transit-key> --in <file>');
        const lines = readFileSync(required(flags['in'], 'rewrap <transit-key> --in <file>'), 'utf8').split(/\r?\n/);
        while (lines.length && lines[lines.length - 1] === '') lines.pop();
        const out: string[] = [];
        const failed: string[] = [];
        for (let start = 0; start < lines.length; start += REWRAP_BATCH) {
          const chunk = lines.slice(start, start + REWRAP_BATCH);
          const answer = await http.call<{ batch: Array<{ ciphertext?: string; error?: string; message?: string }> }>('POST', `/v1/transit/rewrap/${encodeURIComponent(key)}`, `transit-key:${key}`, {
            batch: chunk.map((ciphertext) => ({ ciphertext })),
          });
          answer.batch.forEach((item, i) => {
            // A line that cannot be rewrapped is kept as it was, so the output still lines up with the input.
            out.push(item.ciphertext ?? chunk[i]);
            if (!item.ciphertext) failed.push(`line ${start + i + 1}: ${item.error}: ${item.message}`);
          });
        }
        const text = out.length ? `${out.join('\n')}\n` : '';
        if (flags['out']) writeFileSync(flags['out'], text, { mode: 0o600 });
        else io.out(text);
        io.err(`vigil vault: rewrapped ${out.length - failed.length} of ${out.length} ciphertexts under transit key ${key}${failed.length ? `; kept unchanged:\n  ${failed.join('\n  ')}` : ''}\n`);
        return failed.length ? 1 : 0;
      }
      case 'lease': {
        const [action, target] = rest;
        if (action === 'revoke') print(await http.call('POST', '/v1/sys/leases/revoke', `lease ${target}`, { leaseId: required(target, 'lease revoke <lease-id>') }));
        else if (action === 'revoke-prefix') print(await http.call('POST', `/v1/sys/leases/revoke-prefix/${required(target, 'lease revoke-prefix <path>')}`, target));
        else throw new UsageError('lease: revoke <lease-id> | revoke-prefix <path>');
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`vigil vault: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`vigil vault: ${(error as Error).message}\n`);
    return 1;
  }
}

function parseArgs(argv: readonly string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') flags['help'] = 'true';
    else if (arg.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags[arg.slice(2)] = value;
      i++;
    } else positional.push(arg);
  }
  return { positional, flags };
}

function required(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`missing argument: ${usage}`);
  return value;
}

function integer(text: string, name: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(text);
}
