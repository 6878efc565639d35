import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_TYPES } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { RuleBook } from '../config/rule-book';
import { accuracyOf, formatAccuracy } from './accuracy';
import { writeNoisyCopy } from './noisy-copy';
import { replayAlerts } from './replay-scenario';
import { writeScenario } from './write-scenario';

// The bar: on the generator's scenarios, precision and recall ≥ 0.95 for every alert type, no alert on a decoy.
const SEED = 20_260_302;
const MINUTES = 30;

describe('detection accuracy on a simulated market (vigil simulate → vigil replay on Redis)', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const keyPrefix = `${testPrefix()}accuracy:`;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  it(`finds every type with precision and recall ≥ 0.95 and leaves the decoys alone (seed ${SEED}, ${MINUTES} min)`, async () => {
    const book = RuleBook.load();
    const scenario = await writeScenario({ seed: SEED, minutes: MINUTES, dir: mkdtempSync(join(tmpdir(), 'vigil-sim-')), book });
    const { alerts, summary, resent } = await replayAlerts({ file: scenario.events, book, redis, keyPrefix });
    const report = accuracyOf(alerts, scenario.summary.episodes);

    process.stdout.write(`\n${summary.events} events, ${scenario.summary.episodes.length} labelled episodes, ${alerts.length} alerts\n${formatAccuracy(report)}\n`);
    expect(summary.invalid).toBe(0);
    // Replay prints each alert once.
    expect(resent).toBe(0);
    // Every type is in the scenario, more than once, so 0.95 means all of them.
    for (const type of ALERT_TYPES) expect(report.byType.find((r) => r.type === type)?.labels).toBeGreaterThanOrEqual(3);
    const below = report.byType.filter((r) => r.precision < 0.95 || r.recall < 0.95);
    expect({ below, falsePositives: report.falsePositives.map((a) => a.summary), missed: report.missed.map((l) => l.id) }).toEqual({ below: [], falsePositives: [], missed: [] });
    expect(report.onDecoys.map((d) => `${d.decoy.id}: ${d.alert.summary}`)).toEqual([]);
    // Each alert explains itself: the thresholds it used, the evidence, one sentence.
    for (const alert of alerts) {
      expect(alert.summary).toMatch(/^[A-Z].*\.$/);
      expect(alert.evidence.orderIds.length).toBeGreaterThan(0);
      expect(Object.keys(alert.evidence.metrics).length).toBeGreaterThan(0);
    }
  }, 600_000);

  it('gives the same alert fingerprints when 1 % of the events come twice and neighbours are swapped within the lateness', async () => {
    const book = RuleBook.load();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sim-noisy-'));
    const scenario = await writeScenario({ seed: 7, minutes: 15, dir, book });
    const noisy = join(dir, 'noisy.ndjson');
    const stats = await writeNoisyCopy(scenario.events, noisy, { seed: 7 });
    expect(stats.duplicates).toBeGreaterThan(0.005 * stats.lines);
    expect(stats.swaps).toBeGreaterThan(0.05 * stats.lines);
    const clean = await replayAlerts({ file: scenario.events, book, redis, keyPrefix: `${keyPrefix}clean:` });
    const shaken = await replayAlerts({ file: noisy, book, redis, keyPrefix: `${keyPrefix}noisy:` });
    expect(clean.alerts.length).toBeGreaterThanOrEqual(8);
    expect(shaken.alerts.map((a) => a.fingerprint).sort()).toEqual(clean.alerts.map((a) => a.fingerprint).sort());
    expect(shaken.resent).toBe(0);
  }, 600_000);
});
