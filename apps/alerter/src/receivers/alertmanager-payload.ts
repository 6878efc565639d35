import type { Notification } from './receiver';

/** An Alertmanager webhook (version 4) shaped body for one incident state, plus the incident itself. */
export function alertmanagerStylePayload(receiver: string, notification: Notification) {
  const { incident, state } = notification;
  const status = state === 'resolved' ? 'resolved' : 'firing';
  return {
    version: '4',
    groupKey: `${incident.id}`,
    status,
    receiver,
    groupLabels: { incident: incident.id },
    commonLabels: { ...incident.labels, severity: incident.severity },
    commonAnnotations: { summary: incident.title },
    truncatedAlerts: 0,
    alerts: notification.alerts.map((alert) => ({
      status: state === 'resolved' ? 'resolved' : alert.status,
      labels: alert.labels,
      annotations: { summary: alert.summary },
      startsAt: alert.firstSeen,
      endsAt: state === 'resolved' ? (incident.resolvedAt ?? alert.lastSeen) : '0001-01-01T00:00:00Z',
      fingerprint: alert.fingerprint,
    })),
    incident: { id: incident.id, state, kind: notification.kind, severity: incident.severity, assignee: incident.assignee, escalationLevel: incident.escalationLevel },
  };
}
