import type { PoolClient } from 'pg';

export interface TimelineEntry {
  actor: string;
  action: string;
  note?: string;
  details?: object;
}

/** Appends to the incident's timeline (the table refuses updates and deletes). */
export async function appendTimeline(client: PoolClient, incidentId: string, entry: TimelineEntry): Promise<void> {
  await client.query('INSERT INTO alerter.incident_timeline (incident_id, actor, action, note, details) VALUES ($1, $2, $3, $4, $5)', [
    incidentId,
    entry.actor,
    entry.action,
    entry.note ?? null,
    JSON.stringify(entry.details ?? {}),
  ]);
}
