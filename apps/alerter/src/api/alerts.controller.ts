import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@vigil/auth';
import { SEVERITIES } from '@vigil/contracts';
import { PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { z } from 'zod';
import { parseInput } from './parse-body';

const alertQuerySchema = z.object({
  source: z.enum(['compliance', 'security', 'alertmanager']).optional(),
  severity: z.enum(SEVERITIES).optional(),
  type: z.string().min(1).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  incident: z.string().min(1).optional(),
  silenced: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@ApiTags('alerts')
@Controller('api/alerts')
export class AlertsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  @RequirePermission('alerts:read')
  @ApiOperation({ summary: 'List alerts (one per fingerprint, with first/last seen and count), newest first' })
  @ApiQuery({ name: 'source', required: false }) @ApiQuery({ name: 'severity', required: false }) @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'status', required: false }) @ApiQuery({ name: 'incident', required: false }) @ApiQuery({ name: 'silenced', required: false }) @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const filter = parseInput(alertQuerySchema, query, 'query');
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.source) add('source = ?', filter.source);
    if (filter.severity) add('severity = ?', filter.severity);
    if (filter.type) add('type = ?', filter.type);
    if (filter.status) add('status = ?', filter.status);
    if (filter.incident) add('incident_id = ?', filter.incident);
    if (filter.silenced) where.push(filter.silenced === 'true' ? 'silenced_by IS NOT NULL' : 'silenced_by IS NULL');
    values.push(filter.limit);
    const rows = await this.pool.query(
      `SELECT fingerprint, source, severity, type, summary, labels, status, first_seen AS "firstSeen", last_seen AS "lastSeen", count::int AS count,
              incident_id AS "incidentId", silenced_by AS "silencedBy"
         FROM alerter.alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen DESC LIMIT $${values.length}`,
      values,
    );
    return { alerts: rows.rows };
  }
}
