import { existsSync } from 'node:fs';
import path from 'node:path';

/** apps/vault/migrations, from the sources (src/db) or from the build (dist/apps/vault/src/db). */
export function vaultMigrationsDir(): string {
  const candidates = [path.resolve(__dirname, '../../migrations'), path.resolve(__dirname, '../../../../../apps/vault/migrations')];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`vault migrations not found; looked in ${candidates.join(' and ')}`);
  return found;
}
