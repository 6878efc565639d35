import { createReadStream, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { ContractViolation, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import Redis from 'ioredis';
import { RuleBook, RuleFileError } from '../config/rule-book';
import { Detector } from '../detection/detector';
import { RedisDetectorStore } from '../state/redis-detector.store';

const USAGE = 'usage: vigil replay <events.ndjson> [--rules <file>] [--batch <n>]';

export interface ReplayOptions {
  file: string;
  book: RuleBook;
  redis: Redis;
  /** Its own key prefix, so a replay never touches live state; its keys are deleted at the end. */
  keyPrefix: string;
  out: Writable;
  err: Writable;
  batchSize?: number;
  /** Progress on `err` (a bar when it is a terminal). */
  progress?: boolean;
}

export interface ReplaySummary {
  lines: number;
  events: number;
  invalid: number;
  alerts: number;
}

/**
 * Replays an NDJSON file of market.orders.v1 events in file order through the same Detector
 * as the live consumer (same Redis state code, its own key prefix) and writes each alert as
 * one compliance.alerts.v1 JSON line. Memory stays bounded: lines are streamed and handled
 * batch by batch; what is kept between batches is in Redis.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const batchSize = options.batchSize ?? 500;
  const store = new RedisDetectorStore(options.redis, { keyPrefix: options.keyPrefix, fingerprintTtlMs: options.book.detection.fingerprintTtlMs, stateTtlMs: 86_400_000 });
  const detector = new Detector(options.book, store);
  const instruments = new Map<string, { venue: string; instrument: string }>();
  const summary: ReplaySummary = { lines: 0, events: 0, invalid: 0, alerts: 0 };
  const size = statSync(options.file).size;
  const input = createReadStream(options.file);
  let lastProgress = 0;

  const emit = async (batch: MarketOrderEvent[] | 'flush') => {
    const detection = batch === 'flush' ? await detector.flush([...instruments.values()]) : await detector.detect(batch);
    for (const alert of detection.alerts) {
      if (!options.out.write(`${JSON.stringify(alert)}\n`)) await new Promise((resolve) => options.out.once('drain', resolve));
    }
    summary.alerts += detection.alerts.length;
    await detection.confirm();
  };
  const progress = () => {
    if (!options.progress) return;
    const now = Date.now();
    if (now - lastProgress < 250) return;
    lastProgress = now;
    const share = size === 0 ? 1 : input.bytesRead / size;
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    options.err.write(`\r[${bar}] ${(share * 100).toFixed(1)} % ${summary.events} events, ${summary.alerts} alerts`);
  };

  let batch: MarketOrderEvent[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    summary.lines += 1;
    if (line.trim() === '') continue;
    let event: MarketOrderEvent;
    try {
      event = marketOrdersContract.parse(JSON.parse(line));
    } catch (error) {
      summary.invalid += 1;
      const reason = error instanceof ContractViolation || error instanceof SyntaxError ? error.message : String(error);
      options.err.write(`${options.progress ? '\n' : ''}line ${summary.lines} skipped: ${reason}\n`);
      continue;
    }
    summary.events += 1;
    instruments.set(`${event.venue}:${event.instrument}`, { venue: event.venue, instrument: event.instrument });
    batch.push(event);
    if (batch.length >= batchSize) {
      await emit(batch);
      batch = [];
      progress();
    }
  }
  if (batch.length > 0) await emit(batch);
  // The file is the whole stream: what still waits for the watermark is judged now.
  await emit('flush');
  if (options.progress) options.err.write('\n');
  return summary;
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let file: string | undefined;
  let rules: string | undefined;
  let batchSize = 500;
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === '--rules') rules = args.shift();
    else if (arg === '--batch') batchSize = Number(args.shift());
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (!file && !arg.startsWith('--')) file = arg;
    else {
      process.stderr.write(`vigil replay: unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
  if (!file) {
    process.stderr.write(`vigil replay: the events file is missing\n${USAGE}\n`);
    return 2;
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    process.stderr.write('vigil replay: --batch must be a positive integer\n');
    return 2;
  }
  let book: RuleBook;
  try {
    book = RuleBook.load(rules);
  } catch (error) {
    process.stderr.write(`vigil replay: ${error instanceof RuleFileError ? error.message : String(error)}\n`);
    return 2;
  }
  const redis = new Redis(process.env['VIGIL_REDIS_URL'] || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  const keyPrefix = `vigil:replay:${randomBytes(6).toString('hex')}:`;
  // `vigil replay f | head`: the reader has what it wanted; clean up and stop quietly instead of an unhandled EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    void deleteKeys(redis, keyPrefix)
      .catch(() => undefined)
      .finally(() => process.exit(error.code === 'EPIPE' ? 0 : 1));
  });
  try {
    const summary = await runReplay({ file, book, redis, keyPrefix, out: process.stdout, err: process.stderr, batchSize, progress: process.stderr.isTTY });
    process.stderr.write(`vigil replay: ${summary.events} events (${summary.invalid} invalid lines skipped), ${summary.alerts} alerts\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`vigil replay: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
  }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
