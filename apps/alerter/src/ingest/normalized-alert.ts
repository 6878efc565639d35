import type { ComplianceAlert, SecurityIncident, Severity } from '@vigil/contracts';
import type { Labels } from '../routing/routing';
import type { AlertmanagerAlert } from './alertmanager-webhook.schema';

/** Any source's alert, as the alerter stores it. */
export interface NormalizedAlert {
  /** What makes a redelivery of the same event a no-op. */
  eventId: string;
  /** What makes a repeat of the same alert a counter increment, never a second page. */
  fingerprint: string;
  source: 'compliance' | 'security' | 'alertmanager';
  severity: Severity;
  type: string;
  summary: string;
  labels: Labels;
  payload: object;
  status: 'firing' | 'resolved';
}

export function fromComplianceAlert(alert: ComplianceAlert): NormalizedAlert {
  return {
    eventId: `compliance:${alert.alertId}`,
    fingerprint: `compliance:${alert.fingerprint}`,
    source: 'compliance',
    severity: alert.severity,
    type: alert.type,
    summary: alert.summary,
    labels: compact({ source: 'compliance', severity: alert.severity, type: alert.type, venue: alert.venue, instrument: alert.instrument, account: alert.accountId, trader: alert.traderId }),
    payload: alert,
    status: 'firing',
  };
}

export function fromSecurityIncident(incident: SecurityIncident): NormalizedAlert {
  return {
    eventId: `security:${incident.incidentId}`,
    fingerprint: `security:${incident.incidentId}`,
    source: 'security',
    severity: incident.severity,
    type: incident.type,
    summary: incident.summary,
    labels: { source: 'security', severity: incident.severity, type: incident.type, subject: incident.subject },
    payload: incident,
    status: 'firing',
  };
}

const AM_SEVERITIES: Record<string, Severity> = { critical: 'CRITICAL', page: 'CRITICAL', high: 'HIGH', error: 'HIGH', warning: 'MEDIUM', medium: 'MEDIUM' };

/** Alertmanager's fingerprint identifies the alert; one notification of it (status + startsAt) is one event. */
export function fromAlertmanagerAlert(alert: AlertmanagerAlert): NormalizedAlert {
  const severity = AM_SEVERITIES[(alert.labels.severity ?? '').toLowerCase()] ?? 'LOW';
  const type = alert.labels.alertname ?? 'alertmanager';
  return {
    eventId: `alertmanager:${alert.fingerprint}:${alert.startsAt}:${alert.status}`,
    fingerprint: `alertmanager:${alert.fingerprint}`,
    source: 'alertmanager',
    severity,
    type,
    summary: alert.annotations.summary ?? alert.annotations.description ?? type,
    labels: { ...alert.labels, source: 'alertmanager', severity, type },
    payload: alert,
    status: alert.status,
  };
}

function compact(labels: Record<string, string | undefined>): Labels {
  return Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
