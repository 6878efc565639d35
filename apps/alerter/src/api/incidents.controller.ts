import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@vigil/auth';
import { SEVERITIES } from '@vigil/contracts';
import { z } from 'zod';
import { IncidentService } from '../incidents/incident.service';
import { parseInput } from './parse-body';

const querySchema = z.object({
  state: z.enum(['triggered', 'acknowledged', 'resolved']).optional(),
  severity: z.enum(SEVERITIES).optional(),
  type: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const noteSchema = z.object({ note: z.string().trim().min(1).max(4000).optional() }).strict();
const requiredNoteSchema = z.object({ note: z.string().trim().min(1).max(4000) }).strict();
const assignSchema = z.object({ assignee: z.string().trim().min(1).max(200), note: z.string().trim().min(1).max(4000).optional() }).strict();
const noteBody = { schema: { type: 'object', properties: { note: { type: 'string' } } } };

@ApiTags('incidents')
@Controller('api/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentService) {}

  @Get()
  @RequirePermission('incidents:read')
  @ApiOperation({ summary: 'List incidents, newest first' })
  @ApiQuery({ name: 'state', required: false }) @ApiQuery({ name: 'severity', required: false }) @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'assignee', required: false }) @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    return { incidents: await this.incidents.list(parseInput(querySchema, query, 'query')) };
  }

  @Get(':id')
  @RequirePermission('incidents:read', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'One incident with its alerts, append-only timeline and delivery log' })
  get(@Param('id') id: string) {
    return this.incidents.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequirePermission('incidents:acknowledge', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'Acknowledge: stops escalation, notifies the new state' })
  @ApiBody(noteBody)
  acknowledge(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.incidents.acknowledge(id, who, parseInput(noteSchema, body).note);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @RequirePermission('incidents:escalate', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'Fire the next escalation step now' })
  @ApiBody(noteBody)
  escalate(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.incidents.escalate(id, who, parseInput(noteSchema, body).note);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @RequirePermission('incidents:assign', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'Assign the incident' })
  @ApiBody({ schema: { type: 'object', required: ['assignee'], properties: { assignee: { type: 'string' }, note: { type: 'string' } } } })
  assign(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    const input = parseInput(assignSchema, body);
    return this.incidents.assign(id, who, input.assignee, input.note);
  }

  @Post(':id/notes')
  @HttpCode(200)
  @RequirePermission('incidents:note', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'Add a note to the timeline' })
  @ApiBody({ schema: { type: 'object', required: ['note'], properties: { note: { type: 'string' } } } })
  note(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.incidents.note(id, who, parseInput(requiredNoteSchema, body).note);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequirePermission('incidents:resolve', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: 'Resolve: stops escalation, notifies the new state' })
  @ApiBody(noteBody)
  resolve(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal) {
    return this.incidents.resolve(id, who, parseInput(noteSchema, body).note);
  }
}
