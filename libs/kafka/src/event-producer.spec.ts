import { ContractViolation, exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { KafkaMetrics } from '@vigil/observability';
import { Registry } from 'prom-client';
import { FakeWriter } from '../test-support/fake-ports';
import { FakeRegistry } from '../test-support/fake-registry';
import { EventCodec } from './event.codec';
import { EventProducer, SendDeadlineExceeded } from './event-producer';
import type { OutgoingRecord, RecordWriter } from './kafka-port';

describe('EventProducer', () => {
  it('writes each event to the prefixed topic, keyed by the contract, as JSON by default', async () => {
    const writer = new FakeWriter();
    const producer = new EventProducer(writer, new EventCodec(undefined), 't6.');
    const events = [exampleOrderEvent({ instrument: 'AAA' }), exampleOrderEvent({ instrument: 'BBB' })];
    await producer.send(marketOrdersContract, events, { headers: { 'trace-id': 'tr-9', raw: Buffer.from([1]) } });
    expect(producer.encoding).toBe('json');
    expect(writer.sent.map((r) => [r.topic, r.key?.toString()])).toEqual([
      ['t6.market.orders.v1', 'AAA'],
      ['t6.market.orders.v1', 'BBB'],
    ]);
    expect(JSON.parse(String(writer.sent[0].value))).toEqual(marketOrdersContract.parse(events[0]));
    expect(writer.sent[0].headers).toEqual([
      ['trace-id', Buffer.from('tr-9')],
      ['raw', Buffer.from([1])],
    ]);
  });

  it('validates every value first: one invalid value sends nothing and throws its ContractViolation', async () => {
    const writer = new FakeWriter();
    const producer = new EventProducer(writer, new EventCodec(undefined), '');
    const bad = { ...exampleOrderEvent(), price: -5 };
    const error = await producer.send(marketOrdersContract, [exampleOrderEvent(), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractViolation);
    expect((error as ContractViolation).field).toBe('price');
    expect(writer.sent).toEqual([]);
  });

  it('writes Confluent-framed Avro when a registry is configured', async () => {
    const writer = new FakeWriter();
    const registry = new FakeRegistry();
    const producer = new EventProducer(writer, new EventCodec(registry), 't6.');
    await producer.send(marketOrdersContract, [exampleOrderEvent()]);
    expect(producer.encoding).toBe('avro');
    expect(writer.sent[0].value?.[0]).toBe(0);
    expect([...registry.subjects.keys()]).toEqual(['t6.market.orders.v1-value']);
  });

  it('counts successes and failures and times the sends', async () => {
    const registry = new Registry();
    const metrics = new KafkaMetrics(registry);
    const writer = new FakeWriter();
    const producer = new EventProducer(writer, new EventCodec(undefined), '', metrics);
    await producer.send(marketOrdersContract, [exampleOrderEvent(), exampleOrderEvent()]);
    writer.failSends = 1;
    await expect(producer.send(marketOrdersContract, [exampleOrderEvent()])).rejects.toThrow('fake send failure');
    const produced = (await metrics.produced.get()).values;
    expect(produced.map((v) => [v.labels['outcome'], v.value])).toEqual([
      ['success', 2],
      ['failure', 1],
    ]);
    const durations = (await metrics.produceDuration.get()).values as Array<{ metricName?: string; value: number }>;
    expect(durations.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
  });

  it('does nothing for an empty batch and closes its writer', async () => {
    const writer = new FakeWriter();
    const producer = new EventProducer(writer, new EventCodec(undefined));
    await producer.send(marketOrdersContract, []);
    await producer.close();
    expect(writer.sent).toEqual([]);
    expect(writer.closed).toBe(true);
  });

  describe('deadline', () => {
    // A writer whose broker never acknowledges (our own port, not a fake broker).
    class SilentWriter implements RecordWriter {
      calls = 0;
      resolveAll: Array<() => void> = [];
      send(_records: readonly OutgoingRecord[]): Promise<void> {
        this.calls++;
        return new Promise((resolve) => this.resolveAll.push(resolve));
      }
      async close(): Promise<void> {
        this.resolveAll = [];
      }
    }

    it('rejects with SendDeadlineExceeded after timeoutMs and counts a failure', async () => {
      const metrics = new KafkaMetrics(new Registry());
      const producer = new EventProducer(new SilentWriter(), new EventCodec(undefined), 't6.', metrics);
      const error = await producer.send(marketOrdersContract, [exampleOrderEvent()], { timeoutMs: 20 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendDeadlineExceeded);
      expect((error as Error).message).toBe('1 record(s) to t6.market.orders.v1 not acknowledged: no acknowledgement within 20 ms');
      expect((await metrics.produced.get()).values.map((v) => [v.labels['outcome'], v.value])).toEqual([['failure', 1]]);
    });

    it('rejects when the signal aborts, and writes nothing when it was aborted before', async () => {
      const writer = new SilentWriter();
      const producer = new EventProducer(writer, new EventCodec(undefined));
      const controller = new AbortController();
      const sending = producer.send(marketOrdersContract, [exampleOrderEvent()], { signal: controller.signal });
      controller.abort(new Error('request cancelled'));
      await expect(sending).rejects.toThrow('not acknowledged: aborted (request cancelled)');
      await expect(producer.send(marketOrdersContract, [exampleOrderEvent()], { signal: AbortSignal.abort('shutdown') })).rejects.toThrow('aborted before sending (shutdown)');
      expect(writer.calls).toBe(1);
    });

    it('resolves as before when the acknowledgement comes in time', async () => {
      const writer = new SilentWriter();
      const producer = new EventProducer(writer, new EventCodec(undefined));
      const sending = producer.send(marketOrdersContract, [exampleOrderEvent()], { timeoutMs: 5_000, signal: new AbortController().signal });
      await new Promise((resolve) => setImmediate(resolve));
      writer.resolveAll.forEach((resolve) => resolve());
      await expect(sending).resolves.toBeUndefined();
    });
  });
});
