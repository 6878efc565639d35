import { createTransport } from 'nodemailer';
import type { ReceiverConfig } from '../routing/routing.schema';
import type { DeliveryResult, Notification, Receiver } from './receiver';
import type { SecretResolver } from './receiver-secrets';

// Errors of the connection itself (refused, reset, DNS, timeouts): the next attempt may get through.
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EPROTOCOL']);
const MESSAGE_ID_DOMAIN = 'vigil.alerter';

/**
 * Email over SMTP (nodemailer), one message per incident state. The SMTP reply decides like an
 * HTTP status does elsewhere: 2xx delivered, 4xx (greylisting, a full mailbox, "try later")
 * and a connection that fails retried, 5xx (unknown user, refused relay, bad credentials)
 * failed for good. The Message-ID is derived from the idempotency key, so a re-sent
 * delivery is the same message to a mail system that deduplicates; every state of an
 * incident references the incident's id, so mail clients thread them.
 */
export function emailReceiver(name: string, config: Extract<ReceiverConfig, { type: 'email' }>, secret: SecretResolver): Receiver {
  const credentials = config.username && config.password ? { user: secret(config.username), pass: secret(config.password) } : undefined;
  return {
    name,
    send: async (notification: Notification, timeoutMs: number): Promise<DeliveryResult> => {
      const transport = createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        requireTLS: config.requireTls,
        ...(credentials ? { auth: { user: credentials.user(), pass: credentials.pass() } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        // Nothing in a message may make nodemailer read a file or fetch a URL.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      try {
        const info = await transport.sendMail(emailMessage(config.from, config.to, notification));
        const rejected = info.rejected.length ? `; rejected: ${info.rejected.map(String).join(', ')}` : '';
        return { outcome: 'delivered', statusCode: smtpCode(info.response) ?? 250, detail: `SMTP ${info.response}${rejected}`.slice(0, 300) };
      } catch (error) {
        return classify(error as Error & { code?: string; responseCode?: number; response?: string });
      } finally {
        transport.close();
      }
    },
  };
}

export function emailMessage(from: string, to: string[], notification: Notification) {
  const { incident, state, kind } = notification;
  const escalated = kind === 'escalation' ? ` (escalation level ${incident.escalationLevel})` : '';
  const labels = Object.entries(incident.labels).map(([k, v]) => `  ${k}=${v}`);
  const alerts = notification.alerts.map((a) => `  - ${a.summary} (${a.status}, seen ${a.count}x, last ${a.lastSeen}) [${a.fingerprint}]`);
  return {
    from,
    to,
    subject: `[Vigil] ${state.toUpperCase()}${escalated} [${incident.severity}] ${incident.title}`.slice(0, 250),
    messageId: `<${notification.idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '.')}@${MESSAGE_ID_DOMAIN}>`,
    references: `<${incident.id}@${MESSAGE_ID_DOMAIN}>`,
    headers: {
      'X-Vigil-Incident': incident.id,
      'X-Vigil-State': state,
      'X-Vigil-Severity': incident.severity,
      'X-Vigil-Idempotency-Key': notification.idempotencyKey,
    },
    text: [
      `Incident ${incident.id} is ${state.toUpperCase()}${escalated}.`,
      '',
      `Severity: ${incident.severity}`,
      `Type: ${incident.type}`,
      `Title: ${incident.title}`,
      `Assignee: ${incident.assignee ?? 'nobody'}`,
      `Opened: ${incident.createdAt}${incident.resolvedAt ? `\nResolved: ${incident.resolvedAt}` : ''}`,
      'Labels:',
      ...labels,
      `Alerts (${notification.alerts.length}):`,
      ...alerts,
      '',
    ].join('\n'),
  };
}

function classify(error: Error & { code?: string; responseCode?: number; response?: string }): DeliveryResult {
  const reply = error.response ? `: ${error.response}` : `: ${error.message}`;
  if (typeof error.responseCode === 'number') {
    const retry = error.responseCode < 500;
    return { outcome: retry ? 'retry' : 'failed', statusCode: error.responseCode, detail: `SMTP ${error.responseCode}${reply}`.slice(0, 300) };
  }
  const transient = error.code !== undefined && TRANSIENT_CODES.has(error.code);
  return { outcome: transient ? 'retry' : 'failed', detail: `SMTP ${error.code ?? 'error'}${reply}`.slice(0, 300) };
}

function smtpCode(response: string | undefined): number | undefined {
  const code = Number(/^(\d{3})/.exec(response ?? '')?.[1]);
  return Number.isInteger(code) ? code : undefined;
}
