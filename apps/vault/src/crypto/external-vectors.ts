import fs from 'node:fs';
import path from 'node:path';

// External test vectors live outside the repository (other projects' data, never copied
// in): VIGIL_VECTORS_DIR, or ../shared/vectors beside the repository root.
const repoRoot = path.resolve(__dirname, '../../../..');
export const VECTORS_DIR = process.env['VIGIL_VECTORS_DIR'] ?? path.resolve(repoRoot, '../shared/vectors');

/** The parsed vector file, or undefined (with a message saying why tests skip) when absent. */
export function readVectorFile<T>(file: string): T | undefined {
  const full = path.join(VECTORS_DIR, file);
  if (!fs.existsSync(full)) {
    console.error(`SKIP: external vectors ${full} not found; set VIGIL_VECTORS_DIR to the shared vectors folder to run these tests`);
    return undefined;
  }
  return JSON.parse(fs.readFileSync(full, 'utf8')) as T;
}
