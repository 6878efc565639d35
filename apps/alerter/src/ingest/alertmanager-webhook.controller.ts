import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { alertmanagerWebhookSchema, describeIssues } from './alertmanager-webhook.schema';
import { IngestService, type IngestOutcome } from './ingest.service';
import { fromAlertmanagerAlert } from './normalized-alert';

/**
 * Alertmanager's webhook receiver (payload version "4"), so that a Prometheus alert rule
 * pages through the same dedup, grouping and routing as Kafka alerts. Not behind a token:
 * Alertmanager's webhook_config sends none by default and the policy has no ingest
 * permission; bind it to loopback or a private network (VIGIL_HTTP_HOST).
 */
@ApiTags('ingest')
@Controller('api/alertmanager')
export class AlertmanagerWebhookController {
  constructor(private readonly ingest: IngestService) {}

  @Post('webhook')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest an Alertmanager webhook notification (version 4)' })
  @ApiBody({ description: 'https://prometheus.io/docs/alerting/latest/configuration/#webhook_config', schema: { type: 'object' } })
  @ApiOkResponse({ description: 'What became of each alert, in order' })
  async receive(@Body() body: unknown): Promise<{ outcomes: IngestOutcome[] }> {
    const parsed = alertmanagerWebhookSchema.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({ error: 'invalid_payload', message: 'not an Alertmanager webhook payload (version "4")', problems: describeIssues(parsed.error) });
    }
    return { outcomes: await this.ingest.ingestAll(parsed.data.alerts.map(fromAlertmanagerAlert)) };
  }
}
