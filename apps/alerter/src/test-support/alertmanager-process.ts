import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DEBIAN_TEMPLATE = '/usr/share/prometheus/alertmanager/default.tmpl';

/** The real Alertmanager binary: VIGIL_ALERTMANAGER, else what scripts/install-test-tools.sh unpacked. */
export function alertmanagerBinary(): string {
  const repoRoot = path.resolve(__dirname, '../../../..');
  const candidates = [process.env['VIGIL_ALERTMANAGER'], path.join(repoRoot, '.vigil/tools/alertmanager/usr/bin/prometheus-alertmanager')].filter((c): c is string => !!c);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`alertmanager not found (looked at ${candidates.join(', ')}); run scripts/install-test-tools.sh or set VIGIL_ALERTMANAGER`);
  // Debian's build reads its notification templates from this fixed path.
  if (!process.env['VIGIL_ALERTMANAGER'] && !existsSync(DEBIAN_TEMPLATE)) throw new Error(`${DEBIAN_TEMPLATE} missing (Debian's alertmanager needs it); run scripts/install-test-tools.sh`);
  return found;
}

/** Alertmanager on 127.0.0.1:<port>, clustering off, its config and storage in `dir`; stopped with SIGTERM. */
export class AlertmanagerProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(configYaml: string): Promise<void> {
    mkdirSync(path.join(this.dir, 'data'), { recursive: true });
    writeFileSync(path.join(this.dir, 'alertmanager.yml'), configYaml);
    this.child = spawn(
      alertmanagerBinary(),
      [
        `--config.file=${path.join(this.dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    for (let i = 0; i < 100; i++) {
      if (this.child.exitCode !== null) throw new Error(`alertmanager exited ${this.child.exitCode}: ${this.output.join('')}`);
      const ready = await fetch(`${this.url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`alertmanager did not become ready: ${this.output.join('')}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
