import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MarketOrderEvent } from '@vigil/contracts';
import type { Logger } from 'pino';
import type { RuleBook } from '../config/rule-book';
import type { DetectorMetrics } from '../detector.metrics';
import type { StoreSettings } from '../state/redis-detector.store';
import { DetectionEngine, type Detection } from './detection-engine';
import { StateConflictError, type DetectorOptions } from './detector';
import type { DetectorThreadData, DetectorThreadReply, DetectorThreadRequest } from './detector-thread.protocol';
import { applyMetricChanges } from './metrics-recorder';

export interface DetectorThreadSettings {
  redisUrl: string;
  store: StoreSettings;
  detector?: DetectorOptions;
  /** The worker's Redis connection name (default vigil-compliance-detector-thread). */
  connectionName?: string;
}

/** Next to this file: the .ts source under @swc-node/register or jest, the compiled .js in dist. */
const WORKER_FILE = path.join(__dirname, `detector-thread.worker${path.extname(__filename)}`);

type Pending = { resolve: (reply: Extract<DetectorThreadReply, { ok: true }>) => void; reject: (error: Error) => void };

/**
 * The Detector on a worker thread of its own. Measured on two cores: a batch's detection
 * (~12 µs an event: rules, log encoding, Redis replies) and the consumer's own work (~10 µs:
 * fetch parsing, JSON, contract checks) each fill one JavaScript thread, so in one thread the
 * detector reached half the raw consume rate at best. Here the main thread fetches, decodes
 * and produces while the worker detects; the worker has its own Redis connection and its own
 * copy of the rule book, kept in step through RuleBook.onChange.
 *
 * A worker that dies fails the requests in flight (the consumer retries the batch) and is
 * started again on the next request; what it held in memory is rebuilt from Redis.
 */
export class DetectorThread extends DetectionEngine {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly book: RuleBook,
    private readonly settings: DetectorThreadSettings,
    private readonly metrics?: DetectorMetrics,
    private readonly logger?: Logger,
  ) {
    super();
    book.onChange((changes) => this.worker?.postMessage({ op: 'rules', changes } satisfies DetectorThreadRequest));
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  detect(events: readonly MarketOrderEvent[]): Promise<Detection> {
    return this.detection({ op: 'detect', events: JSON.stringify(events) });
  }

  flush(instruments: { venue: string; instrument: string }[]): Promise<Detection> {
    return this.detection({ op: 'flush', instruments });
  }

  flushIdle(idleAfterMs: number): Promise<Detection> {
    return this.detection({ op: 'flushIdle', idleAfterMs });
  }

  /** Closes the worker's Redis connection and ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await this.call({ op: 'close' }).catch(() => undefined);
    await worker.terminate();
  }

  private async detection(request: DistributiveOmit<Exclude<DetectorThreadRequest, { op: 'rules' }>, 'id'>): Promise<Detection> {
    const reply = await this.call(request);
    return { alerts: reply.alerts ?? [], confirm: async () => void (await this.call({ op: 'confirm' })) };
  }

  private call(request: DistributiveOmit<Exclude<DetectorThreadRequest, { op: 'rules' }>, 'id'>): Promise<Extract<DetectorThreadReply, { ok: true }>> {
    if (this.closed && request.op !== 'close') return Promise.reject(new Error('detector thread is closed'));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as DetectorThreadRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const data: DetectorThreadData = {
      rules: this.book.source(),
      redisUrl: this.settings.redisUrl,
      connectionName: this.settings.connectionName ?? 'vigil-compliance-detector-thread',
      store: this.settings.store,
      detector: this.settings.detector ?? {},
      metrics: this.metrics !== undefined,
    };
    // Under jest or @swc-node/register the worker is TypeScript: the thread registers swc itself.
    const worker = WORKER_FILE.endsWith('.ts')
      ? new Worker(`require('@swc-node/register'); require(${JSON.stringify(WORKER_FILE)});`, { eval: true, workerData: data })
      : new Worker(WORKER_FILE, { workerData: data });
    worker.on('message', (reply: DetectorThreadReply) => this.settle(reply));
    worker.on('error', (error) => {
      this.logger?.error({ err: error }, 'detector thread failed; it is started again on the next batch');
      this.abandon(worker, error);
    });
    worker.on('exit', (code) => this.abandon(worker, new Error(`detector thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: DetectorThreadReply): void {
    if (this.metrics && reply.metrics.length > 0) applyMetricChanges(reply.metrics, this.metrics);
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply);
    else pending.reject(rebuildError(reply.error));
  }

  private abandon(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The worker's error as the in-process Detector would have thrown it (a conflict stays a StateConflictError). */
function rebuildError(error: { name: string; message: string; stack?: string | undefined }): Error {
  const rebuilt = error.name === 'StateConflictError' ? new StateConflictError(error.message) : new Error(error.message);
  if (error.name !== 'StateConflictError') rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
