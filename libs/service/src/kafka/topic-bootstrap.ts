import type { KafkaLogger, TopicSpec } from '@vigil/kafka';
import { describeError } from '@vigil/observability';

/** What TopicBootstrap needs from @vigil/kafka's KafkaAdmin. */
export interface TopicCreator {
  ensureTopics(specs: readonly TopicSpec[], logger: KafkaLogger): Promise<unknown>;
}

export interface BootstrapRetry {
  /** Wait after the first failed attempt; doubles after each further one. */
  initialMs: number;
  /** The longest wait between attempts. */
  maxMs: number;
}

/**
 * Between attempts while the broker cannot be reached: 0.5 s doubling to 15 s, ±20 %
 * so that services restarted together do not retry in step. 15 s bounds how long a
 * service stays unready after the broker is back.
 */
export const DEFAULT_BOOTSTRAP_RETRY: BootstrapRetry = { initialMs: 500, maxMs: 15_000 };

/**
 * Creates the service's topics (and the `.dlq` of each consumed one) when it starts, in
 * the background. A broker that is down at start-up makes the service not ready (/readyz
 * 503 naming kafka) rather than crash: a crash loop would only hammer the broker and hide
 * the service's /healthz, /metrics and logs. Attempts repeat with back-off until the
 * topics exist or the service stops.
 */
export class TopicBootstrap {
  /** Resolves once every topic exists; consumer runners start after it. Stays pending if the service stops first. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private done = false;
  private lastError: string | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly admin: TopicCreator,
    readonly specs: readonly TopicSpec[],
    private readonly logger: KafkaLogger,
    private readonly retry: BootstrapRetry = DEFAULT_BOOTSTRAP_RETRY,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Starts the attempts; returns at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** For readiness: throws, saying why, until every topic exists. */
  assertReady(): void {
    if (this.done) return;
    throw new Error(this.lastError ? `topics not created yet, retrying: ${this.lastError}` : 'topics are being created');
  }

  /**
   * Stops retrying. Resolves once the attempt in flight has settled, which with a broker
   * that is down takes until the admin client is closed: close it before awaiting this.
   */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.admin.ensureTopics(this.specs, this.logger);
        this.done = true;
        this.markReady();
        this.logger.info({ topics: this.specs.map((s) => s.name), attempt }, 'kafka topics ready');
        return;
      } catch (err) {
        if (this.stopped) return;
        this.lastError = describeError(err);
        const delayMs = this.delayAfter(attempt);
        this.logger.warn({ attempt, retryInMs: delayMs }, `kafka topics could not be created, retrying in ${delayMs} ms: ${this.lastError}`);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, delayMs);
        });
      }
    }
  }

  private delayAfter(attempt: number): number {
    const base = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** (attempt - 1));
    return Math.round(base * (0.8 + 0.4 * Math.random()));
  }
}
