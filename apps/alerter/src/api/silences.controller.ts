import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@vigil/auth';
import { SilenceService, silenceInputSchema } from '../silences/silence.service';
import { parseInput } from './parse-body';

const silenceBody = {
  schema: {
    type: 'object',
    required: ['matchers', 'comment', 'endsAt'],
    properties: {
      matchers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' }, isRegex: { type: 'boolean' }, isEqual: { type: 'boolean' } } } },
      comment: { type: 'string' },
      startsAt: { type: 'string', format: 'date-time' },
      endsAt: { type: 'string', format: 'date-time' },
    },
  },
};

/** How long the requested silence lasts, for the policy's step-up rule on long silences. */
function durationSec(body: { startsAt?: unknown; endsAt?: unknown } | undefined): number | undefined {
  const end = typeof body?.endsAt === 'string' ? Date.parse(body.endsAt) : NaN;
  const start = typeof body?.startsAt === 'string' ? Date.parse(body.startsAt) : Date.now();
  return Number.isFinite(end) && Number.isFinite(start) ? Math.max(0, (end - start) / 1000) : undefined;
}

@ApiTags('silences')
@Controller('api/silences')
export class SilencesController {
  constructor(private readonly silences: SilenceService) {}

  @Get()
  @RequirePermission('silences:read')
  @ApiOperation({ summary: 'List silences (state active, pending or expired)' })
  @ApiQuery({ name: 'state', required: false })
  async list(@Query('state') state?: string) {
    return { silences: await this.silences.list(state) };
  }

  @Get(':id')
  @RequirePermission('silences:read', { resource: (req) => `silence:${req.params.id}` })
  @ApiOperation({ summary: 'One silence with the alerts it silenced' })
  get(@Param('id') id: string) {
    return this.silences.get(id);
  }

  @Post()
  @RequirePermission('silences:write', { context: (req) => ({ durationSec: durationSec(req.body) }) })
  @ApiOperation({ summary: 'Create a silence (over 4 hours needs a fresh MFA check)' })
  @ApiBody(silenceBody)
  create(@Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.silences.create(parseInput(silenceInputSchema, body), who);
  }

  @Put(':id')
  @RequirePermission('silences:write', { resource: (req) => `silence:${req.params.id}`, context: (req) => ({ durationSec: durationSec(req.body) }) })
  @ApiOperation({ summary: 'Replace a silence' })
  @ApiBody(silenceBody)
  update(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.silences.update(id, parseInput(silenceInputSchema, body), who);
  }

  @Delete(':id')
  @RequirePermission('silences:write', { resource: (req) => `silence:${req.params.id}`, context: () => ({ durationSec: 0 }) })
  @ApiOperation({ summary: 'Expire a silence now (kept, with what it silenced)' })
  expire(@Param('id') id: string, @CurrentPrincipal() who: Principal) {
    return this.silences.expire(id, who);
  }
}
