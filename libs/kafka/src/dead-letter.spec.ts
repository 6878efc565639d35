import { DLQ_HEADERS } from '@vigil/contracts';
import { rawRecord } from '../test-support/fake-ports';
import { deadLetterRecord } from './dead-letter';

function headerMap(headers: ReadonlyArray<readonly [string, Buffer]>): Record<string, string> {
  return Object.fromEntries(headers.map(([name, value]) => [name, value.toString('utf8')]));
}

describe('deadLetterRecord', () => {
  it('keeps key, value and headers byte for byte and adds the reason and source coordinates', () => {
    const source = rawRecord('t3.market.orders.v1', 4, Buffer.from([0x00, 0xff, 0x10]), { offset: 1234n });
    const dead = deadLetterRecord(source, 'bad-json: value is not valid JSON');
    expect(dead.topic).toBe('t3.market.orders.v1.dlq');
    expect(dead.key).toEqual(source.key);
    expect(dead.value).toEqual(source.value);
    expect(headerMap(dead.headers)).toEqual({
      'trace-id': 'trace-1',
      [DLQ_HEADERS.error]: 'bad-json: value is not valid JSON',
      [DLQ_HEADERS.sourceTopic]: 't3.market.orders.v1',
      [DLQ_HEADERS.sourcePartition]: '4',
      [DLQ_HEADERS.sourceOffset]: '1234',
    });
  });

  it('replaces our headers when the source already carried them (a replayed dead letter)', () => {
    const source = rawRecord('t3.orders', 0, {}, {
      headers: [
        ['x-error', Buffer.from('old reason')],
        ['x-source-offset', Buffer.from('7')],
      ],
    });
    const dead = deadLetterRecord(source, 'new reason');
    expect(dead.headers.filter(([name]) => name === 'x-error')).toHaveLength(1);
    expect(headerMap(dead.headers)['x-error']).toBe('new reason');
    expect(headerMap(dead.headers)['x-source-offset']).toBe(source.offset.toString());
  });

  it('keeps a null key and value (tombstones) as null', () => {
    const dead = deadLetterRecord(rawRecord('t3.orders', 0, {}, { key: null, value: null }), 'bad-json: value is empty');
    expect(dead.key).toBeNull();
    expect(dead.value).toBeNull();
  });

  it('cuts a very long reason on a character boundary and says so', () => {
    const dead = deadLetterRecord(rawRecord('t3.orders', 0, {}), 'é'.repeat(5000));
    const reason = headerMap(dead.headers)['x-error'];
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(2048);
    expect(reason.endsWith('…(truncated)')).toBe(true);
    expect(reason).not.toContain('\uFFFD');
  });
});
