import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleBook } from '../config/rule-book';
import type { ScenarioLabels } from './labels';
import { MarketSimulation } from './market-simulator';

export interface ScenarioFiles {
  events: string;
  labels: string;
  summary: ScenarioLabels;
}

/**
 * Writes a scenario to `dir`: events.ndjson (one market.orders.v1 event a line, in event-time
 * order, streamed with back-pressure so memory does not grow with the length) and labels.json
 * (the injected episodes and decoys with their accounts and time spans).
 */
export async function writeScenario(options: { seed: number; minutes: number; dir: string; book: RuleBook; startMs?: number }): Promise<ScenarioFiles> {
  mkdirSync(options.dir, { recursive: true });
  const eventsPath = join(options.dir, 'events.ndjson');
  const labelsPath = join(options.dir, 'labels.json');
  const sim = new MarketSimulation({ seed: options.seed, minutes: options.minutes, book: options.book, ...(options.startMs !== undefined ? { startMs: options.startMs } : {}) });
  const out = createWriteStream(eventsPath);
  for (const event of sim.events()) {
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const summary = labelsOf(sim, options.seed, options.minutes);
  writeFileSync(labelsPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { events: eventsPath, labels: labelsPath, summary };
}

export function labelsOf(sim: MarketSimulation, seed: number, minutes: number): ScenarioLabels {
  return {
    seed,
    minutes,
    start: new Date(sim.startMs).toISOString(),
    end: new Date(sim.endMs).toISOString(),
    events: sim.count,
    // An episode that found no room to act (its instrument closed first) has nothing to find.
    episodes: sim.labels.filter((l) => l.start !== ''),
  };
}
