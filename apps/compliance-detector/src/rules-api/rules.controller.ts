import { BadRequestException, Body, Controller, Get, Param, Patch, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@vigil/auth';
import { SEVERITIES } from '@vigil/contracts';
import { z } from 'zod';
import { RuleBook } from '../config/rule-book';
import { LiveRules } from './live-rules.service';

const changeFields = {
  parameters: z.record(z.string(), z.unknown()),
  severity: z.enum(SEVERITIES).optional(),
  enabled: z.boolean().optional(),
  expectedVersion: z.number().int().min(1).optional(),
};
const putSchema = z.object(changeFields).strict();
const patchSchema = z
  .object({ ...changeFields, parameters: changeFields.parameters.optional() })
  .strict()
  .refine((b) => b.parameters !== undefined || b.severity !== undefined || b.enabled !== undefined, { message: 'give parameters, severity or enabled' });

const changeBody = (what: string) => ({
  description: what,
  schema: {
    type: 'object',
    properties: {
      parameters: { type: 'object', additionalProperties: true, description: "the rule's parameters (see GET /api/rules for their names and values)" },
      severity: { type: 'string', enum: [...SEVERITIES] },
      enabled: { type: 'boolean' },
      expectedVersion: { type: 'integer', description: 'the version you read: 409 if the rule changed since' },
    },
    example: { parameters: { maxRatio: 250 }, expectedVersion: 1 },
  },
});

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  throw new BadRequestException({ error: 'invalid_request', message: `invalid body: ${problems.join('; ')}`, problems });
}

@ApiTags('rules')
@Controller('api/rules')
export class RulesController {
  constructor(
    private readonly rules: LiveRules,
    private readonly book: RuleBook,
  ) {}

  @Get()
  @RequirePermission('rules:read')
  @ApiOperation({ summary: 'The rules in force (file + API changes), with the overrides; with venue and instrument: what runs there' })
  @ApiQuery({ name: 'venue', required: false })
  @ApiQuery({ name: 'instrument', required: false })
  list(@Query('venue') venue?: string, @Query('instrument') instrument?: string) {
    return {
      rules: this.rules.list(),
      overrides: this.book.file.overrides,
      ...(venue && instrument ? { effective: { venue, instrument, rules: this.book.rulesFor(venue, instrument) } } : {}),
    };
  }

  @Get(':id')
  @RequirePermission('rules:read', { resource: (req) => `rule:${req.params.id}` })
  @ApiOperation({ summary: 'One rule in force' })
  get(@Param('id') id: string) {
    return this.rules.get(id);
  }

  @Put(':id')
  @RequirePermission('rules:write', { resource: (req) => `rule:${req.params.id}` })
  @ApiOperation({ summary: "Replace a rule's parameters (left-out ones take their defaults); version + 1, audited, in force at once on every instance" })
  @ApiBody(changeBody('the whole parameter set'))
  put(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.rules.change(id, parse(putSchema, body), 'replace', who);
  }

  @Patch(':id')
  @RequirePermission('rules:write', { resource: (req) => `rule:${req.params.id}` })
  @ApiOperation({ summary: "Change some of a rule's parameters, its severity or whether it runs; version + 1, audited, in force at once on every instance" })
  @ApiBody(changeBody('only what changes'))
  patch(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.rules.change(id, parse(patchSchema, body), 'merge', who);
  }
}
