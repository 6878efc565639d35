// The outside binaries the cross-project tests run, as scripts/install-test-tools.sh unpacks
// them from Debian's packages into .vigil/tools (or as the machine has them on its PATH).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

const TOOLS = {
  promtool: { env: 'VIGIL_PROMTOOL', unpacked: '.vigil/tools/prometheus/usr/bin/promtool', names: ['promtool'], pkg: 'prometheus' },
  prometheus: { env: 'VIGIL_PROMETHEUS', unpacked: '.vigil/tools/prometheus/usr/bin/prometheus', names: ['prometheus'], pkg: 'prometheus' },
  alertmanager: {
    env: 'VIGIL_ALERTMANAGER',
    unpacked: '.vigil/tools/alertmanager/usr/bin/prometheus-alertmanager',
    names: ['prometheus-alertmanager', 'alertmanager'],
    pkg: 'prometheus-alertmanager',
  },
  amtool: { env: 'VIGIL_AMTOOL', unpacked: '.vigil/tools/alertmanager/usr/bin/amtool', names: ['amtool'], pkg: 'prometheus-alertmanager' },
} as const;

export type ToolName = keyof typeof TOOLS;

/** The binary's path: its VIGIL_* variable, then .vigil/tools, then PATH; throws naming how to install it. */
export function findTool(name: ToolName): string {
  const tool = TOOLS[name];
  const candidates = [process.env[tool.env], path.join(REPO_ROOT, tool.unpacked)];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) for (const bin of tool.names) candidates.push(path.join(dir, bin));
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      `${name} not found (${tool.env}, ${tool.unpacked}, PATH). scripts/install-test-tools.sh unpacks it from Debian's ${tool.pkg} package (run it as root).`,
    );
  }
  return found;
}

/** Runs a tool to its end: exit code and everything it printed, never a throw for a non-zero exit. */
export function runTool(file: string, args: string[], options: { cwd?: string } = {}): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd ?? REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      if (error && code === -1) return reject(error);
      resolve({ code, stdout, output: `${stdout}${stderr}` });
    });
  });
}
