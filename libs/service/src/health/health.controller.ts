import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, MetricsRegistry, runHealthChecks } from '@vigil/observability';
import type { Response } from 'express';
import { Gauge } from 'prom-client';
import { HEALTH_CHECKS } from '../service.constants';
import { ShutdownService } from '../shutdown/shutdown.service';
import { CheckOutcomeDto, LivenessDto, ReadinessDto } from './health.dto';

@ApiTags('operations')
@ApiExtraModels(CheckOutcomeDto)
@Controller()
export class HealthController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    private readonly shutdown: ShutdownService,
    metrics: MetricsRegistry,
  ) {
    // Readiness as Prometheus sees it: the same checks as /readyz, run at scrape time, one
    // series per dependency (a handful of names: postgres, redis, kafka, schema-registry, ...).
    new Gauge({
      name: 'vigil_readiness_check_ok',
      help: '1 when the readiness check of this dependency passes (run at scrape time, as /readyz runs it), 0 when it fails',
      labelNames: ['check'],
      registers: [metrics],
      async collect() {
        const report = await runHealthChecks(checks);
        for (const [check, outcome] of Object.entries(report.checks)) this.set({ check }, outcome.status === 'ok' ? 1 : 0);
      },
    });
  }

  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process runs and is not shutting down' })
  @ApiResponse({ status: HttpStatus.OK, type: LivenessDto })
  @ApiResponse({ status: HttpStatus.SERVICE_UNAVAILABLE, type: LivenessDto, description: 'Shutting down' })
  healthz(@Res({ passthrough: true }) res: Response): LivenessDto {
    if (!this.shutdown.isShuttingDown) return { status: 'ok' };
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'shutting_down' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: every dependency answers; 503 names each one that does not, and why' })
  @ApiResponse({ status: HttpStatus.OK, type: ReadinessDto })
  @ApiResponse({ status: HttpStatus.SERVICE_UNAVAILABLE, type: ReadinessDto, description: 'A dependency is failing, or the service is shutting down' })
  async readyz(@Res({ passthrough: true }) res: Response): Promise<ReadinessDto> {
    if (this.shutdown.isShuttingDown) {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'shutting_down', checks: {} };
    }
    const report = await runHealthChecks(this.checks);
    if (report.status !== 'ok') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: report.status, checks: { ...report.checks } };
  }
}
