import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@vigil/observability';

interface ShutdownHook {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

/**
 * What must happen when the service stops, before its HTTP server closes and its
 * modules are destroyed: the Kafka consumer runner registers `stop` here, which stops
 * fetching and finishes and commits the batch in flight.
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger('Shutdown');
  private readonly hooks: ShutdownHook[] = [];
  private stopping = false;

  /** True from the moment shutdown starts: /healthz and /readyz answer 503 from then on. */
  get isShuttingDown(): boolean {
    return this.stopping;
  }

  /**
   * Registers work for shutdown. Hooks run one at a time, the last registered first,
   * so something registered after what it uses (a consumer after its producer) stops before it.
   */
  onShutdown(name: string, run: () => Promise<void> | void): void {
    this.hooks.push({ name, run });
  }

  /** Marks the service as stopping and runs every hook; returns the names of the hooks that failed. */
  async drain(): Promise<string[]> {
    this.stopping = true;
    const failed: string[] = [];
    for (const hook of [...this.hooks].reverse()) {
      try {
        this.logger.log(`stopping ${hook.name}`);
        await hook.run();
      } catch (err) {
        failed.push(hook.name);
        this.logger.error(`shutdown hook ${hook.name} failed: ${describeError(err)}`);
      }
    }
    return failed;
  }
}
