import type { WireEncoding } from './event.codec';

/** One decoded, contract-valid event as a batch handler receives it. */
export interface ConsumedMessage<T> {
  /** The topic as consumed, prefix included. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The record key as UTF-8 (the contract's key, e.g. the instrument), or null. */
  readonly key: string | null;
  readonly value: T;
  /** Record headers as UTF-8 strings; on a repeated name the last one wins. */
  readonly headers: Readonly<Record<string, string>>;
  /** Record timestamp in milliseconds since the epoch (producer or broker time, not event time). */
  readonly timestamp: number;
  readonly encoding: WireEncoding;
}

/** A message the handler refuses for good (e.g. violates a business rule): it goes to the DLQ. */
export interface RejectedMessage<T> {
  message: ConsumedMessage<T>;
  /** Becomes the dead letter's `x-error`; name the field and the problem, never a secret. */
  reason: string;
}

/** What a batch handler may return: the messages it rejected; everything else counts as done. */
export interface BatchResult<T> {
  rejected?: ReadonlyArray<RejectedMessage<T>>;
}

/**
 * Handles one batch. Resolving means every message not listed in `rejected` has had its
 * effect, so the batch's offsets are committed. Throwing a plain error means "try the
 * whole batch again later" (effects must be idempotent: a retried or re-delivered batch
 * repeats messages). Throwing PoisonMessages is the same as returning `{ rejected }`.
 */
export type BatchHandler<T> = (messages: ConsumedMessage<T>[]) => Promise<void | BatchResult<T>>;

/** Thrown by a handler that finished the batch except for these messages, which can never succeed. */
export class PoisonMessages<T = unknown> extends Error {
  constructor(readonly rejected: ReadonlyArray<RejectedMessage<T>>) {
    super(`${rejected.length} message(s) rejected by the handler: ${rejected.map((r) => r.reason).join('; ')}`);
    this.name = 'PoisonMessages';
  }
}
