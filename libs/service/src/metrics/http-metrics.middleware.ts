import { MetricsRegistry } from '@vigil/observability';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';

/**
 * Records every HTTP request in `vigil_http_request_duration_seconds` (its `_count` is
 * the request count) by method, route pattern and status. The route is Express's
 * pattern ('/alerts/:id'), never the raw path, so ids do not become labels.
 */
// Middleware applied forRoutes('*') (nestjs-pino's) is an Express route with this path;
// it is the only route a request no controller matched has passed through.
const MIDDLEWARE_CATCH_ALL = '/{*path}';

function routeOf(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path !== 'string' || path === MIDDLEWARE_CATCH_ALL) return 'unmatched';
  return `${req.baseUrl}${path}`;
}

export function httpMetricsMiddleware(registry: MetricsRegistry) {
  const duration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return (req: Request, res: Response, next: NextFunction) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      end({ method: req.method, route: routeOf(req), status_code: String(res.statusCode) });
    });
    next();
  };
}
