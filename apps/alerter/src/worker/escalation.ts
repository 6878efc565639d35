import type { PoolClient } from 'pg';
import type { IncidentRow } from '../incidents/incident-rows';
import { appendTimeline } from '../incidents/timeline';
import type { Routing } from '../routing/routing';

/** Whether the incident's escalation still runs in its current state. */
export function escalationApplies(routing: Routing, incident: Pick<IncidentRow, 'labels' | 'state'>): boolean {
  if (incident.state === 'resolved') return false;
  const condition = routing.escalationFor(incident.labels)?.condition ?? 'if-not-acknowledged';
  return incident.state === 'triggered' || condition === 'if-not-resolved';
}

/**
 * Fires the incident's next escalation step inside the caller's transaction (the incident row
 * locked): its targets' deliveries, the new level, the next deadline, a timeline entry. The
 * deliveries' keys carry the level, so a step is paged once whatever happens around it.
 * Returns the level fired, or undefined when the policy has no further step.
 */
export async function fireEscalation(client: PoolClient, routing: Routing, incident: IncidentRow, actor: string, note?: string): Promise<number | undefined> {
  const policy = routing.escalationFor(incident.labels);
  const steps = policy?.steps ?? [];
  const level = incident.escalation_level + 1;
  // Level n is step (n - 1) mod steps, while the policy's repeats last.
  const total = steps.length * ((policy?.repeat ?? 0) + 1);
  const step = level <= total ? steps[(level - 1) % steps.length] : undefined;
  if (!step) {
    await client.query('UPDATE alerter.incidents SET next_escalation_at = NULL WHERE id = $1', [incident.id]);
    return undefined;
  }
  for (const receiver of step.targets) {
    await client.query(
      `INSERT INTO alerter.deliveries (incident_id, receiver, state, kind, idempotency_key) VALUES ($1, $2, $3, 'escalation', $4) ON CONFLICT (idempotency_key) DO NOTHING`,
      [incident.id, receiver, incident.state, `${incident.id}:${receiver}:escalation-${level}`],
    );
  }
  const next = level < total ? steps[level % steps.length] : undefined;
  await client.query(`UPDATE alerter.incidents SET escalation_level = $2, next_escalation_at = CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + $3::bigint * interval '1 millisecond' END WHERE id = $1`, [
    incident.id,
    level,
    next ? next.delay : null,
  ]);
  await appendTimeline(client, incident.id, { actor, action: 'incident.escalated', note, details: { level, targets: step.targets } });
  return level;
}
