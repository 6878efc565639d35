import type { ReceiverConfig } from '../routing/routing.schema';
import { httpPost } from './http-post';
import type { Notification, Receiver } from './receiver';
import type { SecretResolver } from './receiver-secrets';

const ICON = { triggered: ':rotating_light:', acknowledged: ':eyes:', resolved: ':white_check_mark:' } as const;

/** Slack incoming webhook: one message per incident state (the webhook URL is the credential). */
export function slackReceiver(name: string, config: Extract<ReceiverConfig, { type: 'slack' }>, secret: SecretResolver): Receiver {
  const url = secret(config.webhookUrl);
  return {
    name,
    send: (notification: Notification, timeoutMs: number) => {
      const { incident, state } = notification;
      const escalated = notification.kind === 'escalation' ? ` (escalation level ${incident.escalationLevel})` : '';
      const text = `${ICON[state]} *${state.toUpperCase()}*${escalated} [${incident.severity}] ${incident.title} — incident ${incident.id}${incident.assignee ? `, assigned to ${incident.assignee}` : ''}`;
      return httpPost(url(), JSON.stringify({ text }), {}, timeoutMs);
    },
  };
}
