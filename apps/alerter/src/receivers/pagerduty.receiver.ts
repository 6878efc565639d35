import type { ReceiverConfig } from '../routing/routing.schema';
import { httpPost } from './http-post';
import type { Notification, Receiver } from './receiver';
import type { SecretResolver } from './receiver-secrets';

const PD_SEVERITY: Record<string, string> = { CRITICAL: 'critical', HIGH: 'error', MEDIUM: 'warning', LOW: 'info' };
const PD_ACTION = { triggered: 'trigger', acknowledged: 'acknowledge', resolved: 'resolve' } as const;

/** PagerDuty Events API v2: trigger / acknowledge / resolve with the incident id as dedup_key. */
export function pagerdutyReceiver(name: string, config: Extract<ReceiverConfig, { type: 'pagerduty' }>, secret: SecretResolver): Receiver {
  const routingKey = secret(config.routingKey);
  return {
    name,
    send: (notification: Notification, timeoutMs: number) => {
      const { incident, state } = notification;
      const event = {
        routing_key: routingKey(),
        event_action: PD_ACTION[state],
        dedup_key: incident.id,
        ...(state === 'triggered'
          ? {
              payload: {
                summary: `[${incident.severity}] ${incident.title}`.slice(0, 1024),
                source: 'vigil-alerter',
                severity: PD_SEVERITY[incident.severity] ?? 'info',
                component: incident.labels.venue ?? incident.labels.subject,
                group: incident.type,
                custom_details: { labels: incident.labels, escalationLevel: incident.escalationLevel, alerts: notification.alerts.length },
              },
            }
          : {}),
      };
      return httpPost(config.url, JSON.stringify(event), {}, timeoutMs);
    },
  };
}
