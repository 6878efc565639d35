import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';

/** What one batch raised: produce `alerts`, then call `confirm` (before the offsets commit). */
export interface Detection {
  alerts: ComplianceAlert[];
  confirm(): Promise<void>;
}

/**
 * What the consumer and replay drive: the Detector itself (in this thread) or a DetectorThread
 * (the same Detector on a worker thread of its own). An abstract class so Nest can inject it.
 */
export abstract class DetectionEngine {
  /** Runs `work` after every earlier exclusive work finished (a batch or an idle flush, detect to confirm). */
  abstract exclusive<T>(work: () => Promise<T>): Promise<T>;
  abstract detect(events: readonly MarketOrderEvent[]): Promise<Detection>;
  /** Ends the stream for these instruments: every pending event is handled and every open bucket closed (replay's end). */
  abstract flush(instruments: { venue: string; instrument: string }[]): Promise<Detection>;
  /** Moves on the event time of instruments no event reached for `idleAfterMs` of wall time. */
  abstract flushIdle(idleAfterMs: number): Promise<Detection>;
  /** Lets go of what the engine holds (a thread, its Redis connection); called once the consumer stopped. */
  abstract close(): Promise<void>;
}
