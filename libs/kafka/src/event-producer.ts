import type { Contract } from '@vigil/contracts';
import type { KafkaMetrics } from '@vigil/observability';
import type { EventCodec } from './event.codec';
import { prefixedTopic } from './kafka-options';
import type { OutgoingRecord, RecordWriter } from './kafka-port';

export interface SendOptions {
  /** Headers put on every record of this send (e.g. a trace id); never a secret. */
  headers?: Readonly<Record<string, string | Buffer>>;
  /**
   * Longest wait for the acknowledgement: past it, send rejects with SendDeadlineExceeded
   * (the producer otherwise retries an unreachable broker for a long time).
   */
  timeoutMs?: number;
  /** Aborting rejects the send with SendDeadlineExceeded (already aborted: nothing is written). */
  signal?: AbortSignal;
}

/**
 * A send that was not acknowledged within its deadline. The records may still reach the
 * topic later (the client cannot withdraw them): a caller that refuses an operation on
 * this error must tolerate a late event for it, as at-least-once consumers do anyway.
 */
export class SendDeadlineExceeded extends Error {
  constructor(
    readonly topic: string,
    readonly records: number,
    why: string,
  ) {
    super(`${records} record(s) to ${topic} not acknowledged: ${why}`);
    this.name = 'SendDeadlineExceeded';
  }
}

/**
 * Produces contract events. Every value is validated by its contract before anything
 * is sent — one invalid value fails the whole call with its ContractViolation and
 * nothing is written. Keys come from contract.keyOf, so all events of one key (one
 * instrument, one service...) stay in one partition, in order.
 */
export class EventProducer {
  constructor(
    private readonly writer: RecordWriter,
    private readonly codec: EventCodec,
    private readonly topicPrefix = '',
    private readonly metrics?: KafkaMetrics,
  ) {}

  /** The wire form this producer writes: 'avro' with a registry URL, else 'json'. */
  get encoding(): 'json' | 'avro' {
    return this.codec.producesAs;
  }

  /** The topic a contract's events go to under this producer's prefix. */
  topicOf(contract: Contract<unknown>): string {
    return prefixedTopic(this.topicPrefix, contract.topic);
  }

  /** Validates, encodes and writes `values` in one batch; resolves once all in-sync replicas have them. */
  async send<T>(contract: Contract<T>, values: readonly T[], options: SendOptions = {}): Promise<void> {
    if (values.length === 0) return;
    const topic = this.topicOf(contract as Contract<unknown>);
    if (options.signal?.aborted) throw new SendDeadlineExceeded(topic, values.length, `aborted before sending (${describeReason(options.signal.reason)})`);
    const valid = values.map((value) => contract.parse(value)); // throws ContractViolation, before any write
    const headers = Object.entries(options.headers ?? {}).map(
      ([name, value]) => [name, typeof value === 'string' ? Buffer.from(value, 'utf8') : value] as const,
    );
    const records: OutgoingRecord[] = [];
    for (const value of valid) {
      records.push({
        topic,
        key: Buffer.from(contract.keyOf(value), 'utf8'),
        value: await this.codec.encode(topic, contract, value),
        headers,
      });
    }
    const started = performance.now();
    try {
      await withDeadline(this.writer.send(records), topic, records.length, options);
    } catch (error) {
      this.metrics?.produced.inc({ topic, outcome: 'failure' }, records.length);
      throw error;
    }
    this.metrics?.produceDuration.observe({ topic }, (performance.now() - started) / 1000);
    this.metrics?.produced.inc({ topic, outcome: 'success' }, records.length);
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}

function withDeadline(sending: Promise<void>, topic: string, count: number, { timeoutMs, signal }: SendOptions): Promise<void> {
  if (timeoutMs === undefined && signal === undefined) return sending;
  sending.catch(() => undefined); // a failure after the deadline has already been answered
  return new Promise<void>((resolve, reject) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(new SendDeadlineExceeded(topic, count, `no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => finish(new SendDeadlineExceeded(topic, count, `aborted (${describeReason(signal?.reason)})`));
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    // Aborted while the values were being encoded: the listener would never fire.
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    sending.then(() => finish(), finish);
  });
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason ?? 'no reason given');
}
