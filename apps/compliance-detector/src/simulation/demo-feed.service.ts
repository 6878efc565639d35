import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { marketOrdersContract, rfc3339ToEpochMs, type MarketOrderEvent } from '@vigil/contracts';
import { EventProducer } from '@vigil/kafka';
import { SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Logger } from 'pino';
import type { ComplianceDetectorConfig } from '../compliance-detector.config';
import { RuleBook } from '../config/rule-book';
import { MarketSimulation } from './market-simulator';

/** One simulated market runs this long; then a new one starts (new seed, new ids), for as long as the service runs. */
const CYCLE_MINUTES = 10;
const MAX_BATCH = 500;

/**
 * The demo feed (VIGIL_DETECTOR_DEMO_FEED, on in `npm start` unless VIGIL_DEMO_FEED=false):
 * with no trading platform connected, the detector publishes the simulator's market on
 * market.orders.v1 itself, paced to wall time, so a new user sees alerts within a minute.
 * The first cycle puts the quickly judged episodes (quote stuffing, spoofing, momentum
 * ignition, layering) in its first 20 s after a 20 s warm-up; each cycle's episodes are logged.
 */
@Injectable()
export class DemoFeed implements OnApplicationBootstrap {
  private stopped = false;
  private wake: () => void = () => undefined;
  private loop: Promise<void> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ComplianceDetectorConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly book: RuleBook,
    private readonly producer: EventProducer,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.VIGIL_DETECTOR_DEMO_FEED) return;
    this.shutdown.onShutdown('demo feed', async () => {
      this.stopped = true;
      this.wake();
      await this.loop;
    });
    this.loop = this.topics.ready
      .then(() => this.run())
      .catch((error: unknown) => this.logger.error({ err: error }, 'demo feed stopped'));
  }

  private async run(): Promise<void> {
    this.logger.info('demo feed: publishing a simulated market on market.orders.v1 (VIGIL_DETECTOR_DEMO_FEED=true; set VIGIL_DEMO_FEED=false for npm start when a platform sends orders)');
    for (let cycle = 0; !this.stopped; cycle++) {
      const sim = new MarketSimulation({
        seed: this.config.VIGIL_DETECTOR_DEMO_SEED + cycle,
        minutes: CYCLE_MINUTES,
        book: this.book,
        startMs: Date.now(),
        warmupMs: 20_000,
        ...(cycle === 0 ? { firstRoundWithinMs: 20_000 } : {}),
        idPrefix: `demo${Date.now().toString(36)}-`,
        expireAtEnd: true,
      });
      for (const label of sim.labels.filter((l) => l.kind === 'MANIPULATION')) {
        this.logger.debug({ episode: label.id, type: label.type, venue: label.venue, instrument: label.instrument, accountId: label.accountId }, 'demo feed: episode');
      }
      this.logger.info({ cycle: cycle + 1, minutes: CYCLE_MINUTES, episodes: sim.labels.filter((l) => l.kind === 'MANIPULATION').length }, 'demo feed: a new simulated market');
      await this.publish(sim.events());
    }
  }

  private async publish(events: Iterable<MarketOrderEvent>): Promise<void> {
    let batch: MarketOrderEvent[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const sending = batch;
      batch = [];
      await this.producer.send(marketOrdersContract, sending);
    };
    for (const event of events) {
      if (this.stopped) return;
      const dueMs = rfc3339ToEpochMs(event.ts);
      if (dueMs > Date.now() || batch.length >= MAX_BATCH) {
        await flush();
        await this.sleep(Math.max(0, dueMs - Date.now()));
        if (this.stopped) return;
      }
      batch.push(event);
    }
    await flush();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
