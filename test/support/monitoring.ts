// The real Prometheus and Alertmanager (Debian's binaries, unpacked by
// scripts/install-test-tools.sh) started as processes on loopback ports with a config the
// test writes, each in its own folder; stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findTool } from './tools';

export interface MonitoringProcess {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

async function startProcess(name: string, binary: string, args: string[], url: string): Promise<MonitoringProcess> {
  const output: string[] = [];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, output, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${name} did not become ready at ${url}: ${output.join('').slice(-2000)}`);
}

/** Prometheus on 127.0.0.1:<port>, its config and TSDB in `dir`. */
export function startPrometheus(dir: string, port: number, configYaml: string): Promise<MonitoringProcess> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'prometheus.yml'), configYaml);
  return startProcess(
    'prometheus',
    findTool('prometheus'),
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
  );
}

/** Alertmanager on 127.0.0.1:<port>, clustering off, its config and storage in `dir`. */
export function startAlertmanager(dir: string, port: number, configYaml: string): Promise<MonitoringProcess> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'alertmanager.yml'), configYaml);
  return startProcess(
    'alertmanager',
    findTool('alertmanager'),
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
  );
}

export type PromResult = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];

/** An instant query through /api/v1/query: the result, or Prometheus's own error (a parse error names the position). */
export async function promQuery(url: string, expr: string): Promise<{ ok: true; result: PromResult } | { ok: false; error: string }> {
  const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
  const body = (await res.json()) as { status: string; data?: { result: PromResult }; errorType?: string; error?: string };
  if (body.status === 'success' && body.data) return { ok: true, result: body.data.result };
  return { ok: false, error: `${body.errorType}: ${body.error}` };
}
