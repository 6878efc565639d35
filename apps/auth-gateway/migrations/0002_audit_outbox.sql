-- Audit events of commands that run without Kafka (the bootstrap of the first admin), written
-- in the same transaction as the change they record. The gateway publishes them to
-- audit.events.v1 and deletes them (at least once; consumers dedupe by eventId).
create table audit_outbox (
  event_id         uuid primary key,
  event            jsonb not null,
  created_at       timestamptz not null default now()
);
