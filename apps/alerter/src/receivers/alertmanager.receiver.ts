import type { ReceiverConfig } from '../routing/routing.schema';
import { httpPost } from './http-post';
import type { Notification, Receiver } from './receiver';

/**
 * Alertmanager's v2 API (POST /api/v2/alerts): one alert per incident, labelled so that
 * Alertmanager's own grouping and silences see it; resolved sends endsAt = now.
 */
export function alertmanagerReceiver(name: string, config: Extract<ReceiverConfig, { type: 'alertmanager' }>): Receiver {
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name,
    send: (notification: Notification, timeoutMs: number) => {
      const { incident, state } = notification;
      const alert = {
        labels: { ...incident.labels, alertname: incident.type, severity: incident.severity, incident: incident.id, state },
        annotations: { summary: incident.title, assignee: incident.assignee ?? '', escalation_level: String(incident.escalationLevel) },
        startsAt: incident.createdAt,
        ...(state === 'resolved' ? { endsAt: incident.resolvedAt ?? new Date().toISOString() } : {}),
      };
      return httpPost(url, JSON.stringify([alert]), {}, timeoutMs);
    },
  };
}
