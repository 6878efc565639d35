import type { ComplianceAlert } from '@vigil/contracts';
import type Redis from 'ioredis';
import { LOAD_SCRIPT, SAVE_SCRIPT } from './detector-state.scripts';

/** Default prefix of every detector key; replay and tests use their own. */
export const DEFAULT_KEY_PREFIX = 'vigil:det:';

/** Where a holder of an instrument's state stands: the snapshot generation and how many log entries it has applied. */
export interface StatePosition {
  gen: string;
  len: number;
}

export interface LoadRequest {
  /** The instrument's hash tag, `venue:instrument`. */
  tag: string;
  /** What the caller already holds; undefined: nothing (the snapshot and the whole log come back). */
  held: StatePosition | undefined;
}

export interface LoadedInstrument {
  /** The snapshot generation in Redis. */
  gen: string;
  /** Set when the caller must start over from this snapshot (null: no snapshot yet, start empty). Undefined: keep what it holds. */
  snapshot: string | null | undefined;
  /** Log entries (JSON) to apply on top, in order; `fromIndex` is the first one's index in the log. */
  entries: string[];
  fromIndex: number;
  /** Alerts saved by an earlier attempt whose produce was not confirmed. */
  outbox: ComplianceAlert[];
}

export interface SaveRequest {
  tag: string;
  /** The position the evaluation started from (after applying the loaded entries). */
  expected: StatePosition;
  /** A log entry to append, or a snapshot replacing snapshot and log, or nothing (the state did not change). */
  write: { mode: 'log' | 'snap'; payload: string } | undefined;
  alerts: ComplianceAlert[];
}

export type SaveResult = { ok: true; position: StatePosition; fresh: Set<string> } | { ok: false };

export interface StoreSettings {
  keyPrefix: string;
  fingerprintTtlMs: number;
  /** Keys of an instrument with no traffic for this long expire. */
  stateTtlMs: number;
}

type LoadReply = [string, string | null, number, string[], string[]];

interface DetectorCommands {
  vigilDetectorLoad3(...args: (string | number)[]): Promise<LoadReply>;
  vigilDetectorSave3(...args: (string | number)[]): Promise<string[]>;
}

type Pipeline = DetectorCommands & { exec(): Promise<[Error | null, unknown][] | null> };

/**
 * The detector's state in Redis: per instrument, keys hash-tagged `{venue:instrument}` under
 * the key prefix (snapshot, log, fingerprints, outbox). A batch costs one round trip to
 * load (one Lua call per instrument, pipelined), one to save, and one to confirm the alerts it
 * produced (only when there were any). What a call carries grows with the batch's events, not
 * with the windows' contents: the caller keeps the state in memory between batches and the
 * load only tells it what changed.
 */
export class RedisDetectorStore {
  /** Round trips since the last call of takeRoundTrips(). */
  private roundTrips = 0;

  constructor(
    private readonly redis: Redis,
    private readonly settings: StoreSettings,
  ) {
    const commands = redis as unknown as Partial<DetectorCommands>;
    if (!commands.vigilDetectorLoad3) redis.defineCommand('vigilDetectorLoad3', { numberOfKeys: 4, lua: LOAD_SCRIPT });
    if (!commands.vigilDetectorSave3) redis.defineCommand('vigilDetectorSave3', { numberOfKeys: 4, lua: SAVE_SCRIPT });
  }

  takeRoundTrips(): number {
    const count = this.roundTrips;
    this.roundTrips = 0;
    return count;
  }

  keysOf(tag: string): string[] {
    const base = `${this.settings.keyPrefix}{${tag}}:`;
    return ['snapshot', 'log', 'fingerprints', 'outbox'].map((name) => base + name);
  }

  async load(requests: LoadRequest[]): Promise<LoadedInstrument[]> {
    if (requests.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as Pipeline;
    for (const { tag, held } of requests) pipeline.vigilDetectorLoad3(...this.keysOf(tag), held?.gen ?? '', held?.len ?? 0);
    const replies = await this.exec(pipeline);
    return replies.map((reply, index) => {
      const [gen, data, fromIndex, entries, outbox] = reply as LoadReply;
      const { held } = requests[index];
      const restart = held === undefined || held.gen !== gen || Number(fromIndex) !== held.len;
      return {
        gen,
        snapshot: restart ? (data ?? null) : undefined,
        entries,
        fromIndex: Number(fromIndex),
        outbox: outbox.map((json) => JSON.parse(json) as ComplianceAlert),
      };
    });
  }

  /** Writes each instrument's change atomically, each only if no one else wrote it since its load. */
  async save(requests: SaveRequest[], nowMs: number): Promise<SaveResult[]> {
    if (requests.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as Pipeline;
    for (const request of requests) {
      const args: (string | number)[] = [
        request.expected.gen,
        request.expected.len,
        nowMs,
        this.settings.fingerprintTtlMs,
        this.settings.stateTtlMs,
        request.write?.mode ?? '',
        request.write?.payload ?? '',
        request.alerts.length,
      ];
      for (const alert of request.alerts) args.push(alert.fingerprint, JSON.stringify(alert));
      pipeline.vigilDetectorSave3(...this.keysOf(request.tag), ...args);
    }
    const replies = await this.exec(pipeline);
    return replies.map((reply) => {
      const [status, gen, len, ...fresh] = reply as [string, string, number, ...string[]];
      if (status !== 'ok') return { ok: false };
      return { ok: true, position: { gen, len: Number(len) }, fresh: new Set(fresh) };
    });
  }

  /** The alerts were produced: they leave the outbox (their fingerprints stay, so they are not raised again). */
  async confirm(delivered: Map<string, string[]>): Promise<void> {
    if (delivered.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [tag, fingerprints] of delivered) pipeline.hdel(this.keysOf(tag)[3], ...fingerprints);
    await this.exec(pipeline as never);
  }

  private async exec(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
    this.roundTrips += 1;
    const results = await pipeline.exec();
    if (!results) throw new Error('redis: the pipeline was discarded (connection lost); the batch will be retried');
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }
}
