/**
 * Launcher of bench/auth-gateway/login.run.ts (what it measures is described there). The
 * gateway's Nest classes need decorators, which @swc-node/register only compiles when it is
 * given the project's tsconfig: this sets SWC_NODE_PROJECT for the run.
 *
 * Run: npm run bench -- auth-gateway
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const result = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'auth-gateway', 'login.run.ts')], {
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
