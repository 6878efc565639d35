import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { BaseServiceConfig } from '@vigil/config';
import { createLogger, KafkaMetrics, MetricsRegistry } from '@vigil/observability';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { SERVICE_CONFIG, SERVICE_LOGGER, SERVICE_NAME } from './service.constants';
import { ShutdownService } from './shutdown/shutdown.service';

export interface ServiceModuleOptions {
  /** The service's name: in every log line, the `service` metrics label, the OpenAPI title. */
  name: string;
  /** The app's root module. It must provide and export HEALTH_CHECKS. */
  module: Type<unknown> | DynamicModule;
  /** The validated config (loaded by the service's main). */
  config: BaseServiceConfig;
  /** The root pino logger; by default createLogger(name, config.VIGIL_LOG_LEVEL). */
  logger?: PinoLogger;
}

// Probes and scrapes arrive every few seconds; logging each would drown the real requests.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const pathOf = (url: string | undefined) => (url ?? '').split('?')[0];

// The caller's X-Request-Id when it sends a sane one (the gateway passes it on), else a
// new UUID; echoed in the response so a client can quote it.
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Runtime pieces every module of the app may inject. */
@Global()
@Module({})
class ServiceCoreModule {
  static forRoot(name: string, config: BaseServiceConfig, logger: PinoLogger): DynamicModule {
    const providers = [
      { provide: SERVICE_NAME, useValue: name },
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: SERVICE_LOGGER, useValue: logger },
      { provide: MetricsRegistry, useValue: new MetricsRegistry(name) },
      // One KafkaMetrics per registry: the Kafka consumer runner and producer record into it.
      { provide: KafkaMetrics, inject: [MetricsRegistry], useFactory: (registry: MetricsRegistry) => new KafkaMetrics(registry) },
      ShutdownService,
    ];
    return { module: ServiceCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

/**
 * The root module of a Vigil service: pino request logging, /healthz, /readyz and
 * /metrics around the app's own module.
 */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    const logger = options.logger ?? createLogger(options.name, options.config.VIGIL_LOG_LEVEL);
    return {
      module: ServiceModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req.url)) },
            genReqId: requestId,
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
            // The path only: a query string can carry a code or token.
            serializers: {
              req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: pathOf(req.url) }),
              res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        ServiceCoreModule.forRoot(options.name, options.config, logger),
        options.module,
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
