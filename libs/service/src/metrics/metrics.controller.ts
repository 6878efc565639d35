import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MetricsRegistry } from '@vigil/observability';
import type { Response } from 'express';

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics in the text exposition format' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  async metrics(@Res() res: Response): Promise<void> {
    const body = await this.registry.metrics();
    // res.end, not res.send: send rewrites the content type prom-client asks for.
    res.setHeader('Content-Type', this.registry.contentType);
    res.end(body);
  }
}
