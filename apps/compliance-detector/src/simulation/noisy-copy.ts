import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Prng } from './prng';

/**
 * Copies an events file as an unreliable feed delivers it: `duplicateShare` of the events
 * sent a second time a few events later, and neighbours swapped when they are less than
 * `maxSwapMs` apart in event time (inside the detector's lateness). Streamed: a line is held
 * for at most a few lines.
 */
export async function writeNoisyCopy(from: string, to: string, options: { seed: number; duplicateShare?: number; maxSwapMs?: number }): Promise<{ lines: number; duplicates: number; swaps: number }> {
  const rng = new Prng(options.seed);
  const duplicateShare = options.duplicateShare ?? 0.01;
  const maxSwapMs = options.maxSwapMs ?? 1_500;
  const out = createWriteStream(to);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  const stats = { lines: 0, duplicates: 0, swaps: 0 };
  let held: { line: string; ms: number } | undefined;
  const repeats: { line: string; after: number }[] = [];
  for await (const line of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const ms = Date.parse((JSON.parse(line) as { ts: string }).ts);
    if (rng.chance(duplicateShare)) {
      repeats.push({ line, after: stats.lines + rng.int(1, 5) });
      stats.duplicates += 1;
    }
    if (held && Math.abs(ms - held.ms) < maxSwapMs && rng.chance(0.5)) {
      // This one goes out before the one held back.
      await write(line);
      await write(held.line);
      stats.swaps += 1;
      held = undefined;
    } else {
      if (held) await write(held.line);
      held = { line, ms };
    }
    stats.lines += 1;
    while (repeats.length > 0 && repeats[0].after <= stats.lines) await write((repeats.shift() as { line: string }).line);
  }
  if (held) await write(held.line);
  for (const { line } of repeats) await write(line);
  out.end();
  await once(out, 'finish');
  return stats;
}
