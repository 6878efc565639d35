/**
 * The six services' own accounts (client credentials for the gateway's token endpoint).
 *
 *   node dist/apps/auth-gateway/src/cli/service-accounts.js [--dir .vigil/keys/service-accounts] [--rotate <service>|all]
 *
 * Creates `svc-<service>` with the role `svc-<service>` for each service that has none, and
 * writes each new secret once to `<dir>/<service>.json` ({clientId, clientSecret}, mode 0600,
 * directory 0700) for the services to read at start-up. Prints client ids and file paths, never
 * a secret. An existing account keeps its secret (stored only as a hash) unless --rotate names it.
 * Exit 0 done, 2 bad input, 1 anything else. Reads VIGIL_DATABASE_URL (default the local database).
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { ensureServiceAccounts, VIGIL_SERVICES } from '../users/service-accounts';

function args(name: string): string[] {
  return process.argv.flatMap((value, i) => (process.argv[i - 1] === name ? [value] : []));
}

async function main(): Promise<number> {
  const dir = path.resolve(args('--dir')[0] ?? '.vigil/keys/service-accounts');
  const rotate = args('--rotate');
  const unknown = rotate.filter((s) => s !== 'all' && !(VIGIL_SERVICES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`service-accounts: --rotate ${unknown.join(', ')}: not a service (${VIGIL_SERVICES.join(', ')}, or all)\n`);
    return 2;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const pool = new Pool({ connectionString: process.env['VIGIL_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/vigil', application_name: 'auth-gateway-service-accounts', max: 2 });
  try {
    for (const outcome of await ensureServiceAccounts(pool, { rotate })) {
      const file = path.join(dir, `${outcome.service}.json`);
      if (outcome.clientSecret) {
        writeFileSync(file, `${JSON.stringify({ clientId: outcome.clientId, clientSecret: outcome.clientSecret })}\n`, { mode: 0o600 });
        chmodSync(file, 0o600);
        process.stdout.write(`service-accounts: ${outcome.clientId} ${outcome.status} (roles ${outcome.roles.join(', ')}); secret written to ${file}\n`);
      } else {
        const note = existsSync(file) ? `secret in ${file}` : `its secret is not in ${file}: rerun with --rotate ${outcome.service}`;
        process.stdout.write(`service-accounts: ${outcome.clientId} exists (roles ${outcome.roles.join(', ')}); ${note}\n`);
      }
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`service-accounts: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
