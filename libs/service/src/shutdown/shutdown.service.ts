import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@vigil/observability';

/**
 * When a shutdown hook runs. Every 'consumers' hook runs before any 'clients' hook,
 * whatever the order they were registered in (Nest gives no order between sibling modules):
 * - 'consumers' (the default): what takes in work stops and finishes it — a Kafka consumer
 *   runner's stop() stops fetching, lets the batch in the handler finish and commits it;
 * - 'clients': then the clients that work may still have used close — the Kafka producer
 *   and admin client (KafkaModule registers them here).
 * Pools (Postgres, Redis) close after both, when the modules are destroyed.
 */
export type ShutdownStage = 'consumers' | 'clients';

const STAGES: readonly ShutdownStage[] = ['consumers', 'clients'];

interface ShutdownHook {
  readonly name: string;
  readonly run: () => Promise<void> | void;
  readonly stage: ShutdownStage;
}

/**
 * What must happen when the service stops, before its HTTP server closes and its
 * modules are destroyed.
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
   * Registers work for shutdown. Stages run in order (see ShutdownStage); within a stage
   * hooks run one at a time, the last registered first, so something registered after
   * what it uses stops before it.
   */
  onShutdown(name: string, run: () => Promise<void> | void, stage: ShutdownStage = 'consumers'): void {
    this.hooks.push({ name, run, stage });
  }

  /** Marks the service as stopping and runs every hook; returns the names of the hooks that failed. */
  async drain(): Promise<string[]> {
    this.stopping = true;
    const failed: string[] = [];
    for (const stage of STAGES) {
      for (const hook of this.hooks.filter((h) => h.stage === stage).reverse()) {
        try {
          this.logger.log(`stopping ${hook.name}`);
          await hook.run();
        } catch (err) {
          failed.push(hook.name);
          this.logger.error(`shutdown hook ${hook.name} failed: ${describeError(err)}`);
        }
      }
    }
    return failed;
  }
}
