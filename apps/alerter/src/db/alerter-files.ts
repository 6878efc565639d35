import { existsSync } from 'node:fs';
import path from 'node:path';

/** A file shipped beside the alerter's code (apps/alerter/<name>, e.g. routing.yaml), from the sources (src/db) or from the build (dist/apps/alerter/src/db). */
export function alerterFile(name: string): string {
  const candidates = [path.resolve(__dirname, '../..', name), path.resolve(__dirname, '../../../../../apps/alerter', name)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`alerter ${name} not found; looked in ${candidates.join(' and ')}`);
  return found;
}
