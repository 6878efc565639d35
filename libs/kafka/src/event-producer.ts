import type { Contract } from '@vigil/contracts';
import type { KafkaMetrics } from '@vigil/observability';
import type { EventCodec } from './event.codec';
import { prefixedTopic } from './kafka-options';
import type { OutgoingRecord, RecordWriter } from './kafka-port';

export interface SendOptions {
  /** Headers put on every record of this send (e.g. a trace id); never a secret. */
  headers?: Readonly<Record<string, string | Buffer>>;
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
      await this.writer.send(records);
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
