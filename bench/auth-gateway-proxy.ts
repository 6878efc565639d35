/**
 * Launcher of bench/auth-gateway/proxy.run.ts (requests/s through the gateway's proxy vs the
 * same upstream directly, in the same run). It sets SWC_NODE_PROJECT so @swc-node/register
 * compiles the gateway's decorators.
 *
 * Run: flock /tmp/vigil/bench.lock npm run bench -- auth-gateway-proxy
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const result = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'auth-gateway', 'proxy.run.ts')], {
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
