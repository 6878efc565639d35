import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';
import type { RuleBook } from '../config/rule-book';
import type { DetectorMetrics } from '../detector.metrics';
import { HeldInstruments, type HeldInstrument, type LogEntry, type Snapshot } from '../state/held-instruments';
import { decodeLogEntry, encodeLogEntry } from '../state/log-entry.codec';
import type { LoadedInstrument, RedisDetectorStore, SaveRequest } from '../state/redis-detector.store';
import { timed, type TimedEvent } from '../windows/event-time';
import { emptyInstrumentState, instrumentTag } from '../windows/instrument-state';
import { toAlert } from './alert';
import { evaluateInstrument } from './instrument-evaluator';

/** What one batch raised: produce `alerts`, then call `confirm` (before the offsets commit). */
export interface Detection {
  alerts: ComplianceAlert[];
  /**
   * alertIds of the alerts in `alerts` handed out again from the outbox: an earlier attempt
   * saved them and did not confirm, so they may already be on compliance.alerts.v1 (a crash
   * between the produce and the confirm). AlertPublisher looks before producing them again.
   */
  resent: ReadonlySet<string>;
  confirm(): Promise<void>;
}

export interface DetectorOptions {
  /** Most instruments held in memory between batches (the least recently used are let go; Redis keeps them). */
  heldInstruments?: number;
  /** A new snapshot is written once an instrument's log since the last one is at least this big (and SNAPSHOT_LOG_RATIO × the last one). */
  minLogBytesPerSnapshot?: number;
}

interface Group {
  tag: string;
  venue: string;
  instrument: string;
  events: TimedEvent[];
  /** The idle flush: move the watermark to at least this (wall-time extrapolated event time − lateness). */
  advanceToMs?: number;
}

/** Thrown when another instance wrote an instrument between this batch's load and save: the batch is retried on fresh state. */
export class StateConflictError extends Error {}

/**
 * Runs a batch of order events through detection, the same way for the live consumer and
 * for replay: group by instrument → load the state of the instruments not held in memory (one
 * Redis round trip, none when all are held: the state of the instruments this process works on
 * stays in memory, and Redis has the same as snapshot + log) → evaluate in memory → one round
 * trip saving, per instrument atomically and only if no one else wrote it since, the batch's log
 * entry (its accepted events) or now and then a new snapshot, and the new alerts → hand back the
 * alerts to produce, including any an earlier attempt saved but did not confirm.
 */
export class Detector {
  private readonly held: HeldInstruments;
  private readonly minLogBytes: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Instruments whose last alerts were handed out but not confirmed (the produce failed): their next batch loads, which returns the outbox. */
  private readonly unconfirmed = new Set<string>();

  constructor(
    private readonly book: RuleBook,
    private readonly store: RedisDetectorStore,
    private readonly metrics?: DetectorMetrics,
    private readonly clock: () => number = Date.now,
    options: DetectorOptions = {},
  ) {
    this.held = new HeldInstruments(options.heldInstruments ?? 10_000);
    this.minLogBytes = options.minLogBytesPerSnapshot ?? 256 * 1024;
  }

  /**
   * Runs `work` after every earlier exclusive work finished. The consumer's batches and the
   * idle flush each hold it from detect to confirm, so one never re-sends from the outbox
   * what the other is about to produce.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  detect(events: readonly MarketOrderEvent[]): Promise<Detection> {
    return this.run(groupByInstrument(events), false);
  }

  /** Ends the stream for these instruments: every pending event is handled and every open bucket closed (replay's end). */
  flush(instruments: { venue: string; instrument: string }[]): Promise<Detection> {
    return this.run(
      instruments.map(({ venue, instrument }) => ({ tag: instrumentTag(venue, instrument), venue, instrument, events: [] })),
      true,
    );
  }

  /**
   * The idle flush: for each instrument held here that no event reached for `idleAfterMs` of
   * wall time and that still has events waiting or rule state the watermark may close
   * (a spoofing bait, a wash-trade bucket, a close window), event time is taken to have moved
   * on with the wall clock: watermark ≥ newest event time + wall time since it came − lateness.
   * A conflict (another instance took the instrument) lets the instrument go instead of failing.
   */
  flushIdle(idleAfterMs: number): Promise<Detection> {
    const now = this.clock();
    const latenessMs = this.book.detection.latenessMs;
    const groups: Group[] = [];
    for (const [tag, held] of this.held.entries()) {
      const { state } = held;
      const idleMs = now - held.lastEventWallMs;
      if (state.maxTsMs === null || idleMs < idleAfterMs || idleMs > IDLE_HORIZON_MS) continue;
      const waiting = state.pending.length > 0 || Object.values(state.rules).some((r) => r !== null && typeof r === 'object' && Object.keys(r).length > 0);
      const advanceToMs = state.maxTsMs + idleMs - latenessMs;
      if (!waiting || (state.watermarkMs !== null && advanceToMs <= state.watermarkMs)) continue;
      groups.push({ tag, venue: held.venue, instrument: held.instrument, events: [], advanceToMs });
    }
    if (groups.length > 0) this.metrics?.idleFlushes.inc(groups.length);
    return this.run(groups, false, { tolerateConflicts: true });
  }

  private async run(groups: Group[], flush: boolean, options: { tolerateConflicts?: boolean } = {}): Promise<Detection> {
    try {
      return await this.evaluate(groups, flush, options.tolerateConflicts ?? false);
    } catch (error) {
      // The in-memory state may now be ahead of Redis: let these instruments go, the retry reloads them.
      for (const group of groups) this.held.delete(group.tag);
      throw error;
    }
  }

  private async evaluate(groups: Group[], flush: boolean, tolerateConflicts: boolean): Promise<Detection> {
    if (groups.length === 0) return { alerts: [], resent: new Set(), confirm: async () => undefined };
    for (const tag of this.unconfirmed) this.held.delete(tag);
    this.unconfirmed.clear();
    // Taken once: the state used must be the one whose position the save expects, even if holding others lets one go meanwhile.
    const heldBefore = groups.map((g) => this.held.get(g.tag));
    // Only instruments not held are loaded: what this process holds is what Redis has unless another instance wrote
    // since, and then the save refuses (a conflict) and the retry loads. Usually no load round trip at all.
    const toLoad = heldBefore.flatMap((held, index) => (held ? [] : [index]));
    const fetched = toLoad.length > 0 ? await this.store.load(toLoad.map((index) => ({ tag: groups[index].tag, held: undefined }))) : [];
    const loaded: LoadedInstrument[] = groups.map((_, index) => {
      const held = heldBefore[index];
      return held ? { gen: held.position.gen, snapshot: undefined, entries: [], fromIndex: held.position.len, outbox: [] } : fetched[toLoad.indexOf(index)];
    });
    const now = this.clock();
    const latenessMs = this.book.detection.latenessMs;
    const saves: SaveRequest[] = [];
    const helds: HeldInstrument[] = [];
    const pendingBytes: { snapshot?: number; log?: number }[] = [];
    const resend: ComplianceAlert[] = [];
    let newestMs: number | undefined;
    groups.forEach((group, index) => {
      const got = loaded[index];
      resend.push(...got.outbox);
      const held = this.bringUpToDate(group, heldBefore[index], got, now);
      helds.push(held);
      // A copy of an event still pending is a duplicate; one of an event already behind the watermark is late anyway.
      const pendingIds = (held.pendingIds ??= new Set(held.state.pending.map((t) => t.event.eventId)));
      const incoming = group.events.filter((t) => !pendingIds.has(t.event.eventId));
      this.metrics?.events.inc({ outcome: 'duplicate', venue: group.venue }, group.events.length - incoming.length);
      const market = this.marketOf(group.venue, group.instrument);
      const rules = this.book.rulesFor(group.venue, group.instrument);
      const watermarkBefore = held.state.watermarkMs;
      const result = evaluateInstrument({ market, state: held.state, accounts: held.accounts, incoming }, rules, latenessMs, {
        flush,
        ...(group.advanceToMs !== undefined ? { advanceToMs: group.advanceToMs } : {}),
      });
      for (const t of result.accepted) pendingIds.add(t.event.eventId);
      for (const t of result.released) pendingIds.delete(t.event.eventId);
      this.metrics?.events.inc({ outcome: 'accepted', venue: group.venue }, result.accepted.length);
      this.metrics?.events.inc({ outcome: 'late', venue: group.venue }, result.late.length);
      for (const rule of rules) {
        this.metrics?.evaluations.inc({ rule: rule.id, type: rule.type }, result.evaluations.get(rule.id) ?? 0);
        this.metrics?.ruleSeconds.inc({ rule: rule.id, type: rule.type }, result.ruleSeconds.get(rule.id) ?? 0);
      }
      for (const t of result.accepted) newestMs = Math.max(newestMs ?? t.tsMs, t.tsMs);
      if (result.accepted.length > 0) held.lastEventWallMs = now;

      let write: SaveRequest['write'];
      const bytes: { snapshot?: number; log?: number } = {};
      if (result.accepted.length > 0 || held.state.watermarkMs !== watermarkBefore) {
        const entry: LogEntry = { e: result.accepted.map((t) => t.event), ...(flush ? { f: 1 as const } : {}), ...(group.advanceToMs !== undefined ? { a: group.advanceToMs } : {}) };
        const payload = encodeLogEntry(entry);
        if (held.logBytes + payload.length >= Math.max(this.minLogBytes, SNAPSHOT_LOG_RATIO * held.snapshotBytes)) {
          const snapshot: Snapshot = { state: held.state, accounts: Object.fromEntries(held.accounts) };
          write = { mode: 'snap', payload: JSON.stringify(snapshot) };
          bytes.snapshot = write.payload.length;
        } else {
          write = { mode: 'log', payload };
          bytes.log = payload.length;
        }
      }
      pendingBytes.push(bytes);
      saves.push({
        tag: group.tag,
        expected: held.position,
        write,
        alerts: result.findings.map(({ rule, finding }) => toAlert(rule, finding, market, now)),
      });
    });
    const saved = await this.store.save(saves, now);

    const alerts = [...resend];
    const delivered = new Map<string, string[]>();
    const deliver = (tag: string, fingerprint: string) => delivered.set(tag, [...(delivered.get(tag) ?? []), fingerprint]);
    for (const alert of resend) deliver(instrumentTag(alert.venue, alert.instrument), alert.fingerprint);
    let conflicts = 0;
    saves.forEach((save, index) => {
      const result = saved[index];
      const held = helds[index];
      if (!result.ok) {
        conflicts += 1;
        this.held.delete(save.tag);
        return;
      }
      held.position = result.position;
      const bytes = pendingBytes[index];
      if (bytes.snapshot !== undefined) {
        held.snapshotBytes = bytes.snapshot;
        held.logBytes = 0;
        this.metrics?.snapshots.inc();
      }
      if (bytes.log !== undefined) held.logBytes += bytes.log;
      for (const alert of save.alerts) {
        if (!result.fresh.has(alert.fingerprint)) continue;
        alerts.push(alert);
        deliver(save.tag, alert.fingerprint);
        this.metrics?.alerts.inc({ rule: alert.ruleId, type: alert.type, severity: alert.severity });
      }
    });
    if (conflicts > 0) {
      this.metrics?.stateConflicts.inc(conflicts);
      if (!tolerateConflicts) {
        // The instruments saved before the refusal keep their alerts in the outbox: the retry loads them.
        for (const tag of delivered.keys()) this.held.delete(tag);
        throw new StateConflictError(`${conflicts} instrument(s) were written by another instance since this process last read them; the batch is retried on their new state`);
      }
    }
    for (const tag of delivered.keys()) this.unconfirmed.add(tag);
    if (newestMs !== undefined) this.metrics?.windowLag.set(Math.max(0, (now - newestMs) / 1000));
    return {
      alerts,
      resent: new Set(resend.map((alert) => alert.alertId)),
      confirm: async () => {
        await this.store.confirm(delivered);
        for (const tag of delivered.keys()) this.unconfirmed.delete(tag);
        this.observeRoundTrips();
      },
    };
  }

  /** The instrument's state as Redis has it: what this process holds plus what others logged since, or rebuilt from the snapshot and log. */
  private bringUpToDate(group: Group, before: HeldInstrument | undefined, got: LoadedInstrument, now: number): HeldInstrument {
    let held = before;
    if (!held || got.snapshot !== undefined) {
      const snapshot = got.snapshot ? (JSON.parse(got.snapshot) as Snapshot) : undefined;
      held = {
        venue: group.venue,
        instrument: group.instrument,
        position: { gen: got.gen, len: 0 },
        state: snapshot?.state ?? emptyInstrumentState(),
        accounts: new Map(Object.entries(snapshot?.accounts ?? {})),
        snapshotBytes: got.snapshot?.length ?? 0,
        logBytes: 0,
        lastEventWallMs: now,
      };
    }
    if (got.entries.length > 0) {
      // Replayed through the same evaluation: the same state as the batch that logged them had; their findings were handled then.
      const market = this.marketOf(group.venue, group.instrument);
      const rules = this.book.rulesFor(group.venue, group.instrument);
      for (const json of got.entries) {
        const entry = decodeLogEntry(json, group.venue, group.instrument);
        evaluateInstrument({ market, state: held.state, accounts: held.accounts, incoming: entry.e.map(timed) }, rules, this.book.detection.latenessMs, {
          flush: entry.f === 1,
          ...(entry.a !== undefined ? { advanceToMs: entry.a } : {}),
        });
        held.logBytes += json.length;
      }
      held.pendingIds = undefined; // rebuilt from the replayed state when next needed
      this.metrics?.logEntriesReplayed.inc(got.entries.length);
    }
    held.position = { gen: got.gen, len: got.fromIndex + got.entries.length };
    this.held.set(group.tag, held);
    return held;
  }

  /** Without metrics the count stays in the store for the caller (tests, the benchmark) to take. */
  private observeRoundTrips(): void {
    if (!this.metrics) return;
    const roundTrips = this.store.takeRoundTrips();
    this.metrics.roundTrips.observe(roundTrips);
    this.metrics.roundTripsTotal.inc(roundTrips);
  }

  private marketOf(venue: string, instrument: string) {
    const close = this.book.venueClose(venue);
    return { venue, instrument, tickSize: this.book.tickSize(instrument), ...(close ? { close } : {}) };
  }
}

/**
 * A new snapshot once the log is this many times the last one: writing snapshots then costs a
 * quarter of what logging costs, whatever the windows hold, and a rebuild replays at most this
 * many times the snapshot's worth of events.
 */
const SNAPSHOT_LOG_RATIO = 4;

/** An instrument silent for longer than this is not moved on by the idle flush any more (what it waits for is long decided). */
const IDLE_HORIZON_MS = 3_600_000;

function groupByInstrument(events: readonly MarketOrderEvent[]): Group[] {
  const groups = new Map<string, Group>();
  const ids = new Set<string>();
  for (const event of events) {
    // A duplicate inside the batch is dropped here; one across batches by the store's seen set.
    if (ids.has(event.eventId)) continue;
    ids.add(event.eventId);
    const tag = instrumentTag(event.venue, event.instrument);
    let group = groups.get(tag);
    if (!group) {
      group = { tag, venue: event.venue, instrument: event.instrument, events: [] };
      groups.set(tag, group);
    }
    group.events.push(timed(event));
  }
  return [...groups.values()];
}
