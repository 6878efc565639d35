import type { ComplianceAlert } from '@vigil/contracts';
import type Redis from 'ioredis';
import type { AccountWindow } from '../windows/account-window';
import { emptyInstrumentState, type InstrumentState } from '../windows/instrument-state';
import { LOAD_SCRIPT, SAVE_SCRIPT } from './detector-state.scripts';

/** Default prefix of every detector key; replay and tests use their own. */
export const DEFAULT_KEY_PREFIX = 'vigil:det:';

export interface LoadRequest {
  /** The instrument's hash tag, `venue:instrument`. */
  tag: string;
  accounts: string[];
  eventIds: string[];
}

export interface LoadedInstrument {
  state: InstrumentState;
  accounts: Map<string, AccountWindow>;
  /** eventIds of the request already accepted earlier. */
  seen: Set<string>;
  /** Alerts saved by an earlier attempt whose produce was not confirmed. */
  outbox: ComplianceAlert[];
}

export interface SaveRequest {
  tag: string;
  state: InstrumentState;
  accounts: Map<string, AccountWindow>;
  accepted: { eventId: string; tsMs: number }[];
  alerts: ComplianceAlert[];
}

export interface StoreSettings {
  keyPrefix: string;
  fingerprintTtlMs: number;
  /** Keys of an instrument with no traffic for this long expire. */
  stateTtlMs: number;
}

type LoadReply = [string | null, string[], (string | null)[], (string | null)[], string[]];

interface DetectorCommands {
  vigilDetectorLoad(...args: (string | number)[]): Promise<LoadReply>;
  vigilDetectorSave(...args: (string | number)[]): Promise<string[]>;
}

/**
 * The detector's state in Redis: per instrument, keys hash-tagged `{venue:instrument}` under
 * the key prefix. A batch costs one round trip to load (one Lua call per instrument, pipelined),
 * one to save, and one to confirm the alerts it produced (only when there were any).
 */
export class RedisDetectorStore {
  /** Round trips since the last call of takeRoundTrips(). */
  private roundTrips = 0;

  constructor(
    private readonly redis: Redis,
    private readonly settings: StoreSettings,
  ) {
    const commands = redis as unknown as Partial<DetectorCommands>;
    if (!commands.vigilDetectorLoad) redis.defineCommand('vigilDetectorLoad', { numberOfKeys: 6, lua: LOAD_SCRIPT });
    if (!commands.vigilDetectorSave) redis.defineCommand('vigilDetectorSave', { numberOfKeys: 6, lua: SAVE_SCRIPT });
  }

  takeRoundTrips(): number {
    const count = this.roundTrips;
    this.roundTrips = 0;
    return count;
  }

  keysOf(tag: string): string[] {
    const base = `${this.settings.keyPrefix}{${tag}}:`;
    return ['state', 'accounts', 'pending-accounts', 'seen', 'fingerprints', 'outbox'].map((name) => base + name);
  }

  async load(requests: LoadRequest[]): Promise<LoadedInstrument[]> {
    if (requests.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as DetectorCommands & { exec(): Promise<[Error | null, unknown][] | null> };
    for (const request of requests) {
      pipeline.vigilDetectorLoad(...this.keysOf(request.tag), request.accounts.length, ...request.accounts, ...request.eventIds);
    }
    const replies = await this.exec(pipeline);
    return replies.map((reply, index) => {
      const [state, accountIds, windows, seenScores, outbox] = reply as LoadReply;
      const accounts = new Map<string, AccountWindow>();
      accountIds.forEach((id, i) => {
        const json = windows[i];
        if (json) accounts.set(id, JSON.parse(json) as AccountWindow);
      });
      const seen = new Set<string>();
      requests[index].eventIds.forEach((id, i) => {
        if (seenScores[i] !== null && seenScores[i] !== undefined) seen.add(id);
      });
      return {
        state: state ? (JSON.parse(state) as InstrumentState) : emptyInstrumentState(),
        accounts,
        seen,
        outbox: outbox.map((json) => JSON.parse(json) as ComplianceAlert),
      };
    });
  }

  /** Writes each instrument's state atomically; returns, per request, the fingerprints raised for the first time. */
  async save(requests: SaveRequest[], nowMs: number): Promise<Set<string>[]> {
    if (requests.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as DetectorCommands & { exec(): Promise<[Error | null, unknown][] | null> };
    for (const request of requests) {
      const { state } = request;
      const pendingAccounts = [...new Set(state.pending.map((p) => p.event.accountId))];
      const args: (string | number)[] = [
        nowMs,
        state.watermarkMs ?? '',
        this.settings.fingerprintTtlMs,
        this.settings.stateTtlMs,
        JSON.stringify(state),
        request.accounts.size,
      ];
      for (const [id, window] of request.accounts) args.push(id, JSON.stringify(window));
      args.push(pendingAccounts.length, ...pendingAccounts);
      args.push(request.accepted.length);
      for (const { eventId, tsMs } of request.accepted) args.push(eventId, tsMs);
      args.push(request.alerts.length);
      for (const alert of request.alerts) args.push(alert.fingerprint, JSON.stringify(alert));
      pipeline.vigilDetectorSave(...this.keysOf(request.tag), ...args);
    }
    const replies = await this.exec(pipeline);
    return replies.map((reply) => new Set(reply as string[]));
  }

  /** The alerts were produced: they leave the outbox (their fingerprints stay, so they are not raised again). */
  async confirm(delivered: Map<string, string[]>): Promise<void> {
    if (delivered.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [tag, fingerprints] of delivered) pipeline.hdel(this.keysOf(tag)[5], ...fingerprints);
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
