import type { AccountWindow } from '../windows/account-window';
import type { MarketOrderEvent } from '@vigil/contracts';
import type { InstrumentState } from '../windows/instrument-state';
import type { StatePosition } from './redis-detector.store';

/** An instrument's state as this process holds it between batches (Redis has the same, as snapshot + log). */
export interface HeldInstrument {
  venue: string;
  instrument: string;
  position: StatePosition;
  state: InstrumentState;
  /** Every account window of the instrument. */
  accounts: Map<string, AccountWindow>;
  /** Size of the last snapshot and of what was logged after it: a new snapshot is due once the log outgrows it. */
  snapshotBytes: number;
  logBytes: number;
  /** Wall time the newest event of the instrument was taken (the idle flush extrapolates event time from it). */
  lastEventWallMs: number;
  /** eventIds of state.pending, kept in step batch by batch (a duplicate check without rebuilding a set per batch); undefined: build it from state.pending. */
  pendingIds?: Set<string>;
}

/** What a batch logs for one instrument: the events it accepted, in the order it took them (their times are decoded again on replay), and how it moved the watermark. */
export interface LogEntry {
  e: MarketOrderEvent[];
  /** Set when the batch was a flush (end of stream: everything judged). */
  f?: 1;
  /** Set when the batch moved the watermark to at least this by wall time (the idle flush). */
  a?: number;
}

/** What a snapshot holds: the instrument state and every account window. */
export interface Snapshot {
  state: InstrumentState;
  accounts: Record<string, AccountWindow>;
}

/**
 * The instruments this process holds, least recently used first; past `capacity` the oldest
 * is let go (Redis keeps it; it is reloaded when its next event comes).
 */
export class HeldInstruments {
  private readonly held = new Map<string, HeldInstrument>();

  constructor(private readonly capacity: number) {}

  get(tag: string): HeldInstrument | undefined {
    const entry = this.held.get(tag);
    if (entry) {
      this.held.delete(tag);
      this.held.set(tag, entry);
    }
    return entry;
  }

  set(tag: string, entry: HeldInstrument): void {
    this.held.delete(tag);
    this.held.set(tag, entry);
    while (this.held.size > this.capacity) this.held.delete(this.held.keys().next().value as string);
  }

  delete(tag: string): void {
    this.held.delete(tag);
  }

  entries(): IterableIterator<[string, HeldInstrument]> {
    return this.held.entries();
  }
}
