import { DLQ_HEADERS, dlqTopicOf } from '@vigil/contracts';
import type { OutgoingRecord, RawRecord } from './kafka-port';

/** Kafka headers are small by convention; a reason longer than this is cut (and says so). */
const MAX_REASON_BYTES = 2048;
const OUR_HEADERS = new Set<string>(Object.values(DLQ_HEADERS));

/**
 * The dead letter of a record (CONTRACTS.md, "Dead letters"): original key, value and
 * headers byte for byte, plus the reason and the source coordinates, so the record can
 * be inspected and replayed. A header the original already had under one of our names is
 * replaced, not repeated: a record replayed from a DLQ that fails again carries one reason.
 */
export function deadLetterRecord(record: RawRecord, reason: string): OutgoingRecord {
  const headers: Array<readonly [string, Buffer]> = record.headers.filter(([name]) => !OUR_HEADERS.has(name));
  headers.push(
    [DLQ_HEADERS.error, Buffer.from(truncate(reason), 'utf8')],
    [DLQ_HEADERS.sourceTopic, Buffer.from(record.topic, 'utf8')],
    [DLQ_HEADERS.sourcePartition, Buffer.from(String(record.partition), 'utf8')],
    [DLQ_HEADERS.sourceOffset, Buffer.from(record.offset.toString(), 'utf8')],
  );
  return { topic: dlqTopicOf(record.topic), key: record.key, value: record.value, headers };
}

function truncate(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_REASON_BYTES) return reason;
  // A byte prefix may end inside a character; decoding turns that into U+FFFD, dropped here.
  const cut = bytes.subarray(0, MAX_REASON_BYTES - 16).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut} …(truncated)`;
}
