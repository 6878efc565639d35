/**
 * One-time creation of Vigil's first admin.
 *
 *   node dist/apps/auth-gateway/src/cli/bootstrap-admin.js --username <name> [--password-file <path>]
 *
 * The password comes from the file, or else from standard input (one line; a trailing newline
 * is removed, nothing else): never from the command line, where `ps` and shell history would
 * show it. Nothing secret is printed. Exit 0 created, 3 an admin already exists, 2 bad input,
 * 1 anything else. Reads VIGIL_DATABASE_URL (default the local database).
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { bootstrapAdmin } from '../users/bootstrap-admin';

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (input is not hidden; prefer --password-file or a pipe): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Only the line ending the file or pipe adds; spaces are part of the password as typed. */
function stripLineEnd(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  if (process.argv.includes('--password')) {
    process.stderr.write('bootstrap-admin: --password is refused (argv is visible to other users); use --password-file <path> or standard input\n');
    return 2;
  }
  const username = arg('--username');
  if (!username) {
    process.stderr.write('usage: bootstrap-admin --username <name> [--password-file <path>]   (password from the file or standard input)\n');
    return 2;
  }
  const file = arg('--password-file');
  const password = stripLineEnd(file ? readFileSync(file, 'utf8') : await readStdin());
  const pool = new Pool({ connectionString: process.env['VIGIL_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/vigil', application_name: 'auth-gateway-bootstrap', max: 2 });
  try {
    const result = await bootstrapAdmin(pool, username, password);
    if (result.created) {
      process.stdout.write(`bootstrap-admin: created admin "${username}" (id ${result.userId}); MFA enrolment is required at their first login\n`);
      return 0;
    }
    process.stderr.write(`bootstrap-admin: ${result.message}\n`);
    return result.reason === 'admin_exists' ? 3 : 2;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The message of a pg or fs error names no password; the password is never in scope here.
    process.stderr.write(`bootstrap-admin: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
