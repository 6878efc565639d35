import { Controller, Get, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { RunningService, startService } from './run-service';
import { HEALTH_CHECKS } from './service.constants';
import { ShutdownService } from './shutdown/shutdown.service';

// The shutdown sequence of a real, listening service (port 0, no dependencies).
const events: string[] = [];

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
let slowEntered = deferred();
let slowRelease = deferred();

@Controller()
class SlowController {
  @Get('slow')
  async slow() {
    slowEntered.resolve();
    await slowRelease.promise;
    return { done: true };
  }
}

@Injectable()
class Resource implements OnApplicationShutdown {
  onApplicationShutdown() {
    events.push('resources closed');
  }
}

@Module({ controllers: [SlowController], providers: [Resource, { provide: HEALTH_CHECKS, useValue: [] }], exports: [HEALTH_CHECKS] })
class FakeAppModule {}

function start(env: Record<string, string> = {}) {
  const config = loadConfig(baseServiceConfig('shutdown-svc', 0), { VIGIL_LOG_LEVEL: 'silent', ...env });
  return startService({ name: 'shutdown-svc', module: FakeAppModule, config, logger: createLogger('shutdown-svc', 'silent') });
}

describe('startService and stop', () => {
  let running: RunningService | undefined;
  beforeEach(() => {
    events.length = 0;
    slowEntered = deferred();
    slowRelease = deferred();
  });
  afterEach(async () => {
    // A test that leaves the service up (the timeout case) closes it here.
    running?.app.getHttpServer().closeAllConnections();
    await running?.app.close();
    running = undefined;
  });

  it('listens on the configured host and reports its URL', async () => {
    running = await start();
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('turns 503 first, runs hooks last-registered first, lets the request in flight finish, closes resources, then resolves 0', async () => {
    running = await start();
    const { url } = running;
    const shutdown = running.app.get(ShutdownService);
    shutdown.onShutdown('producer', () => {
      events.push('producer stopped');
      slowRelease.resolve();
    });
    shutdown.onShutdown('consumer', async () => {
      events.push(`consumer stopping, readyz ${(await fetch(`${url}/readyz`)).status}, healthz ${(await fetch(`${url}/healthz`)).status}`);
    });

    const slow = fetch(`${url}/slow`).then(async (res) => ({ status: res.status, body: await res.json() }));
    await slowEntered.promise;
    const code = await running.stop('SIGTERM');
    expect(await slow).toEqual({ status: 200, body: { done: true } });

    expect(code).toBe(0);
    expect(events).toEqual(['consumer stopping, readyz 503, healthz 503', 'producer stopped', 'resources closed']);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    running = undefined;
  });

  it('runs every consumers hook before any clients hook, whichever was registered first', async () => {
    running = await start();
    const shutdown = running.app.get(ShutdownService);
    shutdown.onShutdown('consumer A', () => void events.push('consumer A stopped'));
    shutdown.onShutdown('kafka producer', () => void events.push('producer closed'), 'clients');
    shutdown.onShutdown('kafka admin', () => void events.push('admin closed'), 'clients');
    shutdown.onShutdown('consumer B', () => void events.push('consumer B stopped'));
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(events).toEqual(['consumer B stopped', 'consumer A stopped', 'admin closed', 'producer closed', 'resources closed']);
    running = undefined;
  });

  it('returns the same outcome when stopped twice', async () => {
    running = await start();
    const first = running.stop('SIGTERM');
    expect(running.stop('SIGINT')).toBe(first);
    expect(await first).toBe(0);
    running = undefined;
  });

  it('still runs the other hooks and closes everything when a hook fails, but resolves 1', async () => {
    running = await start();
    const shutdown = running.app.get(ShutdownService);
    shutdown.onShutdown('producer', () => void events.push('producer stopped'));
    shutdown.onShutdown('consumer', () => {
      throw new Error('commit failed');
    });
    expect(await running.stop('SIGTERM')).toBe(1);
    expect(events).toEqual(['producer stopped', 'resources closed']);
    running = undefined;
  });

  it('gives up with 1 when shutdown takes longer than VIGIL_SHUTDOWN_TIMEOUT', async () => {
    running = await start({ VIGIL_SHUTDOWN_TIMEOUT: '50ms' });
    running.app.get(ShutdownService).onShutdown('stuck consumer', () => new Promise(() => undefined));
    expect(await running.stop('SIGTERM')).toBe(1);
  });

  it('fails to start, naming the address, when the port is taken', async () => {
    running = await start();
    const port = new URL(running.url).port;
    await expect(start({ VIGIL_HTTP_PORT: port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
