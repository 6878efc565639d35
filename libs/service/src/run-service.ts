import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, describeError, MetricsRegistry } from '@vigil/observability';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { setupOpenApi } from './openapi';
import { ServiceModule, ServiceModuleOptions } from './service.module';
import { ShutdownService } from './shutdown/shutdown.service';

export interface RunServiceOptions extends ServiceModuleOptions {
  /** For the OpenAPI document: what the service does. */
  description?: string;
  /** For the OpenAPI document (default 0.1.0). */
  version?: string;
}

export interface RunningService {
  readonly app: INestApplication;
  /** Where it listens, e.g. http://127.0.0.1:8101 (the real port when VIGIL_HTTP_PORT is 0). */
  readonly url: string;
  /**
   * Graceful shutdown: /healthz and /readyz turn 503, the shutdown hooks run (consumers
   * stop and finish their batch), the HTTP server closes after the requests in flight,
   * then the modules are destroyed (pools and clients close). Resolves with the exit
   * code: 0 when all of that finished, 1 when a step failed or VIGIL_SHUTDOWN_TIMEOUT
   * passed. Calling it again returns the same promise. It does not exit the process.
   */
  stop(reason: string): Promise<number>;
}

/**
 * What startService does to the Nest application before it listens: pino as Nest's
 * logger, HTTP metrics, OpenAPI at /docs. Tests that build the app with @nestjs/testing
 * call it too, so they test the same application.
 */
export function configureServiceApp(app: INestApplication, { name, description, version }: Pick<RunServiceOptions, 'name' | 'description' | 'version'>): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.use(httpMetricsMiddleware(app.get(MetricsRegistry)));
  setupOpenApi(app, { name, description, version });
}

/** Boots the service and listens; for tests and for runService. Throws if it cannot start. */
export async function startService(options: RunServiceOptions): Promise<RunningService> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.VIGIL_LOG_LEVEL);
  const app = await NestFactory.create(ServiceModule.forRoot({ ...options, logger }), { bufferLogs: true, abortOnError: false });
  try {
    configureServiceApp(app, options);
    await app.listen(config.VIGIL_HTTP_PORT, config.VIGIL_HTTP_HOST);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const url = urlOf(app.getHttpServer() as Server);
  logger.info({ url }, `${name} listening on ${url} (OpenAPI ${url}/docs, metrics ${url}/metrics)`);

  let stopping: Promise<number> | undefined;
  const stop = (reason: string) => (stopping ??= shutDown(app, logger, reason, config.VIGIL_SHUTDOWN_TIMEOUT));
  return { app, url, stop };
}

/**
 * A service's main calls this with its loaded config: it starts the service, stops it
 * gracefully on SIGTERM or SIGINT and exits 0 (1 if shutdown failed or timed out; a
 * second signal exits 1 at once). If the service cannot start it logs why and exits 1.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger(options.name, options.config.VIGIL_LOG_LEVEL);
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception: ${describeError(err)}`);
    process.exit(1);
  });

  let running: RunningService;
  try {
    running = await startService({ ...options, logger });
  } catch (err) {
    logger.fatal({ err }, `${options.name} failed to start: ${startFailure(err, options)}`);
    return process.exit(1);
  }

  // Nest's enableShutdownHooks() is not used: it destroys modules (closing pools) while
  // consumers may still be finishing a batch, and re-raises the signal instead of exiting 0.
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn(`${signal} again during shutdown: exiting now`);
      process.exit(1);
    }
    void running.stop(signal).then((code) => process.exit(code));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return running;
}

async function shutDown(app: INestApplication, logger: PinoLogger, reason: string, timeoutMs: number): Promise<number> {
  logger.info(`shutting down (${reason}); giving up after ${timeoutMs} ms`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const work = (async () => {
    const failedHooks = await app.get(ShutdownService).drain();
    await closeServer(app.getHttpServer() as Server);
    await app.close();
    return failedHooks.length === 0 ? 0 : 1;
  })().catch((err: unknown) => {
    logger.error({ err }, `shutdown failed: ${describeError(err)}`);
    return 1;
  });
  const outcome = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.error(`shutdown did not finish within ${timeoutMs} ms (VIGIL_SHUTDOWN_TIMEOUT); exiting with 1`);
    return 1;
  }
  logger.info(outcome === 0 ? 'stopped' : 'stopped, but a shutdown step failed (see above)');
  return outcome;
}

// Stops accepting connections and resolves once the requests in flight are answered.
// close() drops only the connections idle at that moment; a keep-alive connection
// whose request finishes later would hold it open until the client lets go, so idle
// connections are swept until it is done.
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function startFailure(err: unknown, { config }: RunServiceOptions): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return `${config.VIGIL_HTTP_HOST}:${config.VIGIL_HTTP_PORT} is already in use; stop what listens there or set VIGIL_HTTP_PORT`;
  }
  return describeError(err);
}
