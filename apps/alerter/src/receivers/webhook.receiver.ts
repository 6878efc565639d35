import type { ReceiverConfig } from '../routing/routing.schema';
import { alertmanagerStylePayload } from './alertmanager-payload';
import { httpPost } from './http-post';
import type { Notification, Receiver } from './receiver';
import type { SecretResolver } from './receiver-secrets';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';

/** Generic webhook: Alertmanager-style JSON, signed (HMAC-SHA256 over timestamp + body), with the idempotency key. */
export function webhookReceiver(name: string, config: Extract<ReceiverConfig, { type: 'webhook' }>, secrets: SecretResolver): Receiver {
  const secret = secrets(config.secret);
  return {
    name,
    send: (notification: Notification, timeoutMs: number) => {
      const body = JSON.stringify(alertmanagerStylePayload(name, notification));
      const timestamp = Math.floor(Date.now() / 1000);
      return httpPost(
        config.url,
        body,
        { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(secret(), timestamp, body), 'idempotency-key': notification.idempotencyKey },
        timeoutMs,
      );
    },
  };
}
