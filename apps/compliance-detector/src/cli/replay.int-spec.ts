import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { complianceAlertsContract } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { RuleBook } from '../config/rule-book';
import { OrderStream } from '../test-support/rule-harness';
import { runReplay } from './replay';

// Replay on the real Redis: an NDJSON file in, one compliance.alerts.v1 JSON line per alert out.
describe('vigil replay', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const keyPrefix = `${testPrefix()}replay:`;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  it('prints each alert once as a contract-valid JSON line, skips malformed lines naming them, and judges what still waits at the end', async () => {
    const s = new OrderStream();
    s.trade(60_000, 'T1', { accountId: 'A', beneficialOwnerId: 'OWN' }, { accountId: 'B', beneficialOwnerId: 'OWN' });
    for (let i = 0; i < 200; i++) s.newOrder(120_000 + i, `Q${i}`, { accountId: 'Q' });
    const lines = s.events.map((e) => JSON.stringify(e));
    lines.splice(3, 0, '{"eventId": 7}', 'garbage', '');
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: string[] = [];
    const errors: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    err.on('data', (c: Buffer) => errors.push(c.toString()));
    const summary = await runReplay({ file, book: RuleBook.load(), redis, keyPrefix, out, err, batchSize: 16 });

    const alerts = chunks.join('').split('\n').filter(Boolean).map((line) => complianceAlertsContract.parse(JSON.parse(line)));
    // Only the wash trade's bucket (closed by the end of the file) and the OTR floor of 200 messages.
    expect(alerts.map((a) => a.type).sort()).toEqual(['ORDER_TO_TRADE_RATIO', 'WASH_TRADE']);
    expect(summary).toEqual({ lines: lines.length, events: s.events.length, invalid: 2, alerts: 2 });
    expect(errors.join('')).toMatch(/^line 4 skipped: .*eventId.*\nline 5 skipped: .*JSON/m);
  });
});
