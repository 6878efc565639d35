import type { Labels } from '../routing/routing';

export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

export interface NotificationAlert {
  fingerprint: string;
  labels: Labels;
  summary: string;
  status: 'firing' | 'resolved';
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** What one delivery tells one receiver: an incident in one state (the state it had when the delivery was made). */
export interface Notification {
  idempotencyKey: string;
  kind: 'notify' | 'escalation';
  state: IncidentState;
  incident: {
    id: string;
    title: string;
    severity: string;
    type: string;
    labels: Labels;
    assignee: string | null;
    escalationLevel: number;
    createdAt: string;
    resolvedAt: string | null;
  };
  alerts: NotificationAlert[];
}

/** delivered: done. retry: 429, 5xx, timeout or network error. failed: any other answer, never retried. */
export interface DeliveryResult {
  outcome: 'delivered' | 'retry' | 'failed';
  statusCode?: number;
  detail: string;
}

export interface Receiver {
  readonly name: string;
  send(notification: Notification, timeoutMs: number): Promise<DeliveryResult>;
}
