import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testInfra, type InfraEnv } from '@vigil/testing';
import { OrderStream } from '../test-support/rule-harness';

// `vigil replay f | head -1`: the reader leaves after one alert; replay stops quietly (exit 0), no unhandled EPIPE.
describe('vigil replay into a pipe closed early', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
  });

  afterAll(async () => {
    await stopInfra?.();
  });

  it('exits 0 without an error when stdout closes after the first line', async () => {
    // 400 wash-trade buckets: far more alert text than a pipe buffers.
    const s = new OrderStream();
    for (let i = 0; i < 400; i++) s.trade(i * 600_000, `W${i}`, { accountId: 'A', beneficialOwnerId: 'OWN' }, { accountId: 'B', beneficialOwnerId: 'OWN' });
    const file = join(mkdtempSync(join(tmpdir(), 'replay-pipe-')), 'events.ndjson');
    writeFileSync(file, `${s.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const root = resolve(__dirname, '../../../..');
    const child = spawn(join(root, 'node_modules/.bin/node'), ['-r', '@swc-node/register', join(__dirname, 'replay.ts'), file], {
      cwd: root,
      env: { ...process.env, VIGIL_REDIS_URL: infra.redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(JSON.parse(first.split('\n')[0])).toMatchObject({ type: 'WASH_TRADE' });
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  }, 120_000);
});
