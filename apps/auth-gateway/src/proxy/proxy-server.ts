import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isProxiedPath, ProxyService } from './proxy.service';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the proxy in front of Express on the gateway's HTTP server: a request under /api/ goes
 * to ProxyService and never enters Express, so its body is not parsed by Nest's body parser
 * but streams to the service as it arrives. Everything else (auth routes, admin, health,
 * metrics, docs) goes to Express as before. Done before the server listens.
 */
@Injectable()
export class ProxyServer implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: ProxyService,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (isProxiedPath(req.url)) void this.proxy.handle(req, res);
      else for (const listener of listeners) listener.call(server, req, res);
    });
  }
}
