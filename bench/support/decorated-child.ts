import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs a benchmark's `main` in a child of itself with SWC_NODE_PROJECT set: @swc-node/register
 * compiles Nest's decorators (with their metadata) only when it reads them from a tsconfig,
 * and it reads SWC_NODE_PROJECT at start-up, so the parent only re-runs `file` and waits.
 * The child exits 0 when `main` resolves, 1 (with the error) when it rejects.
 *
 *   runDecorated(__filename, 'VAULT_BENCH_CHILD', main);
 */
export function runDecorated(file: string, childFlag: string, main: () => Promise<void>): void {
  if (!process.env[childFlag]) {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', file], {
      stdio: 'inherit',
      env: { ...process.env, [childFlag]: '1', SWC_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
    });
    process.exit(result.status ?? 1);
  }
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
