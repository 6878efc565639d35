#!/usr/bin/env node
// The `vigil` command. Each subcommand belongs to the service whose data it works on and is
// built with it; this file only finds the built entry point and runs it, so apps never import
// each other. Adding a command is one line in COMMANDS.
//
//   npx vigil audit verify --key <verifier key> --database <url> | --bundle <file>
//   npx vigil simulate --minutes <n> --seed <s> [--out <dir>]
//   npx vigil bootstrap-admin --username <name> [--password-file <file>]   (else the password from stdin)
//   npx vigil service-accounts [--dir .vigil/keys/service-accounts] [--rotate <service>|all]
//   npx vigil vault status | list | get | put | rotate | rekey | lease revoke ...   (token: VIGIL_VAULT_TOKEN)
//
// The entry is (re)built with `nx run <project>:build` when it is missing or older than the
// sources it is built from.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** command → the project that ships it and its built entry (relative to the workspace root). */
const COMMANDS = {
  'bootstrap-admin': { project: 'auth-gateway', entry: 'dist/apps/auth-gateway/src/cli/bootstrap-admin.js', about: 'create the first admin (once; password from stdin or --password-file)' },
  'service-accounts': { project: 'auth-gateway', entry: 'dist/apps/auth-gateway/src/cli/service-accounts.js', about: "create the six services' accounts; secrets once to .vigil/keys/service-accounts (--rotate <service>|all)" },
  audit: { project: 'audit-writer', entry: 'dist/apps/audit-writer/src/cli/vigil-audit.js', about: 'verify, export and key tools of the tamper-evident audit log' },
  vault: { project: 'vault', entry: 'dist/apps/vault/src/cli/vigil-vault.js', about: 'operator commands of the vault: status, list/get/put secrets, rotate, rekey, lease revoke' },
  replay: { project: 'compliance-detector', entry: 'dist/apps/compliance-detector/src/cli/replay.js', about: 'back-test the rules on an NDJSON file of market.orders.v1 events; alerts as JSON lines' },
  simulate: { project: 'compliance-detector', entry: 'dist/apps/compliance-detector/src/cli/simulate.js', about: 'write a simulated market with labelled manipulation episodes and decoys (events.ndjson + labels.json)' },
};

function usage(stream) {
  stream.write(`usage: vigil <command> [args...]\n\n${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.about}`).join('\n')}\n`);
}

function newestSource(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const item of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.name.endsWith('.ts') && !item.name.endsWith('spec.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
}

function ensureBuilt({ project, entry }) {
  const built = path.join(root, entry);
  const sources = Math.max(newestSource(path.join(root, 'apps', project, 'src')), newestSource(path.join(root, 'libs')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return built;
  process.stderr.write(`vigil: building ${project} (its CLI is missing or older than its sources)...\n`);
  const nx = path.join(root, 'node_modules/.bin/nx');
  const result = spawnSync(nx, ['run', `${project}:build`, '--skip-nx-cache'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0 || !existsSync(built)) {
    process.stderr.write(`vigil: building ${project} failed; run "npx nx run ${project}:build" to see why\n`);
    process.exit(2);
  }
  return built;
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  usage(name ? process.stdout : process.stderr);
  process.exit(name ? 0 : 2);
}
const command = COMMANDS[name];
if (!command) {
  process.stderr.write(`vigil: unknown command "${name}"\n`);
  usage(process.stderr);
  process.exit(2);
}
const result = spawnSync(process.execPath, [ensureBuilt(command), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
