import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { auditCheckpointsContract } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import { PG_POOL, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AuditWriterConfig } from '../audit-writer.config';
import { CHECKPOINT_KEY } from './checkpoint.constants';
import { GlobalCheckpointer } from './global-checkpointer';
import type { CheckpointSigning } from './checkpoint-signing';

/** Every VIGIL_AUDIT_GLOBAL_CHECKPOINT_INTERVAL: a global leaf and signed head over all partition logs, published. */
@Injectable()
export class GlobalCheckpointService implements OnApplicationBootstrap {
  private readonly checkpointer: GlobalCheckpointer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AuditWriterConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(PG_POOL) pool: Pool,
    @Inject(CHECKPOINT_KEY) signing: CheckpointSigning,
    private readonly producer: EventProducer,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.checkpointer = new GlobalCheckpointer({ pool, signing, originPrefix: config.VIGIL_AUDIT_ORIGIN_PREFIX, role: config.VIGIL_AUDIT_DB_ROLE });
    shutdown.onShutdown('global checkpoints', async () => {
      clearInterval(this.timer);
      await this.running;
    });
  }

  onApplicationBootstrap(): void {
    const interval = this.config.VIGIL_AUDIT_GLOBAL_CHECKPOINT_INTERVAL;
    if (interval === 0) return;
    void this.topics.ready.then(() => {
      if (this.shutdown.isShuttingDown) return;
      this.timer = setInterval(() => void this.tick(), interval);
      this.timer.unref();
    });
  }

  /** One round; a failure is logged and the next round tries again. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        const c = await this.checkpointer.run();
        if (c) {
          await this.producer.send(auditCheckpointsContract, [
            { origin: c.origin, logId: c.logId, treeSize: c.treeSize, rootHash: c.rootHash.toString('base64'), timestamp: c.createdAt.toISOString(), note: c.note },
          ]);
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'global checkpoint failed; retrying at the next interval');
      }
    })();
    await this.running;
    this.running = undefined;
  }
}
