/**
 * Launcher of bench/auth-gateway/decision.run.ts (the p99 of one RBAC decision and of one token
 * verification). @vigil/auth's index loads its Nest guard, whose decorators @swc-node/register
 * compiles only with the project's tsconfig: this sets SWC_NODE_PROJECT for the run.
 *
 * Run: npm run bench -- auth-decision
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const result = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'auth-gateway', 'decision.run.ts')], {
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
