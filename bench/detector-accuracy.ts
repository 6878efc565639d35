/**
 * compliance-detector accuracy on simulated markets: for each seed, `vigil simulate` writes
 * a scenario with labelled manipulation episodes and decoys, `vigil replay`'s code path (the
 * live Detector on the real Redis) judges it, and alerts are matched to labels (type +
 * account + instrument + overlapping event time). Prints precision and recall per alert type
 * over all seeds, and any false positive, miss or alert on a decoy (issue 3 aims at ≥ 0.95).
 *
 * Run: npm run bench -- detector-accuracy
 * Env: BENCH_SEEDS (default "1,2,3"), BENCH_MINUTES (default 30), BENCH_RESULT_FILE.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ComplianceAlert } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, infraEnv, testPrefix } from '@vigil/testing';
import Redis from 'ioredis';
// A benchmark measures the app's own code in process, as bench/detector.ts does.
/* eslint-disable @nx/enforce-module-boundaries */
import { RuleBook } from '../apps/compliance-detector/src/config/rule-book';
import { accuracyOf, formatAccuracy } from '../apps/compliance-detector/src/simulation/accuracy';
import type { EpisodeLabel } from '../apps/compliance-detector/src/simulation/labels';
import { replayAlerts } from '../apps/compliance-detector/src/simulation/replay-scenario';
import { writeScenario } from '../apps/compliance-detector/src/simulation/write-scenario';
/* eslint-enable @nx/enforce-module-boundaries */

const SEEDS = (process.env['BENCH_SEEDS'] ?? '1,2,3').split(',').map(Number);
const MINUTES = Number(process.env['BENCH_MINUTES'] ?? 30);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'detector-accuracy.json');

async function main(): Promise<void> {
  const book = RuleBook.load();
  const redis = new Redis(infraEnv().redisUrl);
  const prefix = `${testPrefix()}accuracy:`;
  const alerts: ComplianceAlert[] = [];
  const labels: EpisodeLabel[] = [];
  const runs: { seed: number; events: number; episodes: number; alerts: number; simulateSeconds: number; replaySeconds: number }[] = [];
  try {
    for (const seed of SEEDS) {
      const dir = mkdtempSync(path.join(tmpdir(), 'vigil-accuracy-'));
      let started = Date.now();
      const scenario = await writeScenario({ seed, minutes: MINUTES, dir, book });
      const simulateSeconds = (Date.now() - started) / 1000;
      started = Date.now();
      const replay = await replayAlerts({ file: scenario.events, book, redis, keyPrefix: `${prefix}${seed}:` });
      const replaySeconds = (Date.now() - started) / 1000;
      rmSync(dir, { recursive: true, force: true });
      // Seeds reuse instrument names and times: the labels are made unique per seed by their account ids alone.
      alerts.push(...replay.alerts);
      labels.push(...scenario.summary.episodes);
      runs.push({ seed, events: scenario.summary.events, episodes: scenario.summary.episodes.length, alerts: replay.alerts.length, simulateSeconds, replaySeconds });
      console.log(
        `seed ${seed}: ${scenario.summary.events} events, ${scenario.summary.episodes.length} labelled episodes, ${replay.alerts.length} alerts ` +
          `(simulate ${simulateSeconds.toFixed(1)} s, replay ${replaySeconds.toFixed(1)} s = ${Math.round(scenario.summary.events / replaySeconds)} events/s)`,
      );
    }
  } finally {
    await deleteRedisKeysByPrefix(prefix, redis);
    redis.disconnect();
  }
  const report = accuracyOf(alerts, labels);
  console.log(`\ndetector accuracy over seeds ${SEEDS.join(', ')} (${MINUTES} min each):\n${formatAccuracy(report)}`);
  for (const alert of report.falsePositives) console.log(`false positive: ${alert.type} ${alert.venue}:${alert.instrument} ${alert.accountId}: ${alert.summary}`);
  for (const label of report.missed) console.log(`missed: ${label.id} ${label.venue}:${label.instrument} ${label.accountId} ${label.start}..${label.end}`);
  for (const { decoy, alert } of report.onDecoys) console.log(`alert on decoy ${decoy.id}: ${alert.type}: ${alert.summary}`);
  mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  writeFileSync(
    RESULT_FILE,
    `${JSON.stringify({ seeds: SEEDS, minutes: MINUTES, runs, byType: report.byType, falsePositives: report.falsePositives.length, missed: report.missed.length, alertsOnDecoys: report.onDecoys.length }, null, 2)}\n`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
