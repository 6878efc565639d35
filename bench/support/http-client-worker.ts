import { Worker } from 'node:worker_threads';

/** One HTTP request a load run repeats; it must answer 200. */
export interface RepeatedRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

// Plain JS, evaluated in the worker: no TypeScript loader there. Each message runs one load
// and answers with the per-request milliseconds (sequential) or the elapsed seconds (concurrent).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ id, kind, request, n, concurrency }) => {
  const once = async () => {
    const res = await fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: request.body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(request.method + ' ' + request.url + ' answered ' + res.status + ': ' + text.slice(0, 300));
  };
  try {
    if (kind === 'sequential') {
      const samples = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await once();
        samples[i] = performance.now() - t;
      }
      parentPort.postMessage({ id, samples: Array.from(samples) });
    } else {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < n) { next++; await once(); }
      }));
      parentPort.postMessage({ id, seconds: (performance.now() - t0) / 1000 });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack || error) });
  }
});
`;

/**
 * The HTTP load of a benchmark, run on its own thread: a service calling another runs in
 * its own process, so the client's request building and response parsing (undici) should
 * not share the measured server's event loop, nor its garbage collections.
 */
export class HttpClientWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private nextId = 0;

  /** `n` requests one after the other; each one's milliseconds. */
  sequential(request: RepeatedRequest, n: number): Promise<number[]> {
    return this.run<{ samples: number[] }>({ kind: 'sequential', request, n }).then((r) => r.samples);
  }

  /** `n` requests spread over `concurrency` callers; the seconds they took together. */
  concurrent(request: RepeatedRequest, n: number, concurrency: number): Promise<number> {
    return this.run<{ seconds: number }>({ kind: 'concurrent', request, n, concurrency }).then((r) => r.seconds);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private run<T>(message: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { id: number; error?: string } & T) => {
        if (reply.id !== id) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        if (reply.error) reject(new Error(`bench HTTP client: ${reply.error}`));
        else resolve(reply);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      this.worker.postMessage({ id, ...message });
    });
  }
}
