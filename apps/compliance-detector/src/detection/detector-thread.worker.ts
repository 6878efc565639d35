import { parentPort, workerData } from 'node:worker_threads';
import type { MarketOrderEvent } from '@vigil/contracts';
import Redis from 'ioredis';
import { RuleBook } from '../config/rule-book';
import { RedisDetectorStore } from '../state/redis-detector.store';
import { Detector } from './detector';
import type { Detection } from './detection-engine';
import type { DetectorThreadData, DetectorThreadReply, DetectorThreadRequest } from './detector-thread.protocol';
import { MetricsRecorder } from './metrics-recorder';

/**
 * The worker side of DetectorThread: the same Detector as in process, with its own Redis
 * connection, answering the main thread's requests one at a time in the order they came.
 */
const port = parentPort;
if (!port) throw new Error('detector-thread.worker runs only as a worker thread (DetectorThread starts it)');
const data = workerData as DetectorThreadData;
const book = RuleBook.from(data.rules.file, 'rule file (detector thread)');
book.applyChanges(data.rules.changes);
const redis = new Redis(data.redisUrl, { connectionName: data.connectionName });
// An error event without a listener would end the thread; ioredis reconnects by itself, and a command that fails rejects its batch.
redis.on('error', () => undefined);
const recorder = data.metrics ? new MetricsRecorder() : undefined;
const detector = new Detector(book, new RedisDetectorStore(redis, data.store), recorder?.metrics, Date.now, data.detector);
/** The last detection handed out: only it can be confirmed (a failed produce is followed by a new detect, not a late confirm). */
let open: Detection | undefined;
let work: Promise<void> = Promise.resolve();

port.on('message', (request: DetectorThreadRequest) => {
  if (request.op === 'rules') {
    book.applyChanges(request.changes);
    return;
  }
  work = work.then(() => answer(request));
});

async function answer(request: Exclude<DetectorThreadRequest, { op: 'rules' }>): Promise<void> {
  let reply: DetectorThreadReply;
  try {
    reply = { id: request.id, ok: true, ...(await perform(request)), metrics: recorder?.take() ?? [] };
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
    reply = { id: request.id, ok: false, error: { name: error instanceof Error ? error.constructor.name : name, message, stack }, metrics: recorder?.take() ?? [] };
  }
  port?.postMessage(reply);
}

async function perform(request: Exclude<DetectorThreadRequest, { op: 'rules' }>): Promise<{ alerts?: Detection['alerts'] }> {
  switch (request.op) {
    case 'detect':
      return handOut(detector.detect(JSON.parse(request.events) as MarketOrderEvent[]));
    case 'flush':
      return handOut(detector.flush(request.instruments));
    case 'flushIdle':
      return handOut(detector.flushIdle(request.idleAfterMs));
    case 'confirm': {
      const confirming = open;
      open = undefined;
      if (!confirming) throw new Error('detector thread: confirm without a detection to confirm');
      await confirming.confirm();
      return {};
    }
    case 'close':
      await redis.quit().catch(() => redis.disconnect());
      return {};
  }
}

async function handOut(detecting: Promise<Detection>): Promise<{ alerts: Detection['alerts'] }> {
  open = undefined;
  const detection = await detecting;
  open = detection;
  return { alerts: detection.alerts };
}
