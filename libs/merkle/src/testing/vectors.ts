// Loads the external test vectors (other projects' data, never copied into this repo):
// from $VIGIL_VECTORS_DIR, else ../shared/vectors beside the workspace root. Conformance
// specs skip, saying why, when the folder is absent (a user's own clone).
import fs from 'node:fs';
import path from 'node:path';

export function workspaceRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${from}: cannot locate the workspace root`);
  }
}

export function vectorsDir(): string {
  const configured = process.env['VIGIL_VECTORS_DIR'];
  return configured ? path.resolve(configured) : path.resolve(workspaceRoot(), '..', 'shared', 'vectors');
}

export interface VectorFile<T> {
  /** The parsed file, or undefined when the vectors folder or this file is absent. */
  readonly data: T | undefined;
  /** A describe title saying where the vectors come from, or why they are skipped. */
  readonly title: string;
}

export function readVectorFile<T>(file: string): VectorFile<T> {
  const full = path.join(vectorsDir(), file);
  if (!fs.existsSync(full)) {
    return {
      data: undefined,
      title: `${file} — SKIPPED: ${full} not found (set VIGIL_VECTORS_DIR to the external vectors folder)`,
    };
  }
  return { data: JSON.parse(fs.readFileSync(full, 'utf8')) as T, title: `${file} (external vectors, ${full})` };
}

export const fromHex = (hex: string): Buffer => {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`vector: not an even-length hex string: ${hex.slice(0, 20)}`);
  return Buffer.from(hex, 'hex');
};
