-- The alerter's state (schema alerter). Timestamps are timestamptz; ids are text so that
-- an incident id can travel in receivers' payloads and dedup keys unchanged.

-- One row per distinct alert (fingerprint): a repeat only moves last_seen and count.
CREATE TABLE alerts (
  id            bigserial PRIMARY KEY,
  fingerprint   text NOT NULL UNIQUE,
  source        text NOT NULL CHECK (source IN ('compliance', 'security', 'alertmanager')),
  severity      text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  type          text NOT NULL,
  summary       text NOT NULL,
  labels        jsonb NOT NULL,
  payload       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'firing' CHECK (status IN ('firing', 'resolved')),
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  count         bigint NOT NULL DEFAULT 1,
  incident_id   text,
  silenced_by   text
);
CREATE INDEX alerts_last_seen ON alerts (last_seen DESC);

-- Events already applied (alertId, incidentId, Alertmanager fingerprint+startsAt+status):
-- a redelivered event changes nothing, a new event for a known fingerprint counts once.
CREATE TABLE alert_events (
  event_id      text PRIMARY KEY,
  fingerprint   text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);

-- Post-incident review due: CRITICAL (SEV-1) 3 days, HIGH (SEV-2) 5 days, MEDIUM (SEV-3)
-- 10 days, LOW (SEV-4) none (NULL). The application computes it at creation from the same table
-- (src/incidents/post-incident.ts); stored so that a later policy change does not move it.
CREATE TABLE incidents (
  id                      text PRIMARY KEY,
  group_key               text NOT NULL,
  title                   text NOT NULL,
  severity                text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  type                    text NOT NULL,
  labels                  jsonb NOT NULL,
  state                   text NOT NULL DEFAULT 'triggered' CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
  assignee                text,
  escalation_level        int NOT NULL DEFAULT 0,
  next_escalation_at      timestamptz,
  -- When the current state is to be notified (group wait, repeat interval); NULL: nothing due.
  notify_at               timestamptz,
  notified_state          text,
  notify_round            int NOT NULL DEFAULT 0,
  post_incident_due       timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  acknowledged_at         timestamptz,
  resolved_at             timestamptz
);
-- At most one open incident per group: alerts of the same group join it.
CREATE UNIQUE INDEX incidents_open_group ON incidents (group_key) WHERE state <> 'resolved';
CREATE INDEX incidents_notify_due ON incidents (notify_at) WHERE notify_at IS NOT NULL;
CREATE INDEX incidents_escalation_due ON incidents (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

CREATE TABLE incident_alerts (
  incident_id   text NOT NULL REFERENCES incidents (id),
  alert_id      bigint NOT NULL REFERENCES alerts (id),
  linked_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, alert_id)
);

-- Append-only: who did what, when, with a note. A postmortem starts from it.
CREATE TABLE incident_timeline (
  id            bigserial PRIMARY KEY,
  incident_id   text NOT NULL REFERENCES incidents (id),
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor         text NOT NULL,
  action        text NOT NULL,
  note          text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);

CREATE FUNCTION incident_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_timeline is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE OR DELETE ON incident_timeline
  FOR EACH ROW EXECUTE FUNCTION incident_timeline_append_only();
CREATE TRIGGER incident_timeline_no_truncate BEFORE TRUNCATE ON incident_timeline
  FOR EACH STATEMENT EXECUTE FUNCTION incident_timeline_append_only();

-- matchers: [{ "name": "venue", "value": "XLON", "isRegex": false, "isEqual": true }]
CREATE TABLE silences (
  id            text PRIMARY KEY,
  matchers      jsonb NOT NULL,
  author        text NOT NULL,
  comment       text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expired_at    timestamptz
);

-- Silenced alerts are recorded, not dropped: each arrival that a silence muted.
CREATE TABLE silenced_alerts (
  id            bigserial PRIMARY KEY,
  silence_id    text NOT NULL REFERENCES silences (id),
  alert_id      bigint NOT NULL REFERENCES alerts (id),
  event_id      text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX silenced_alerts_silence ON silenced_alerts (silence_id);

-- The delivery log and outbox: one row per (incident, receiver, state[, round]).
CREATE TABLE deliveries (
  id                bigserial PRIMARY KEY,
  incident_id       text NOT NULL REFERENCES incidents (id),
  receiver          text NOT NULL,
  state             text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('notify', 'escalation')),
  idempotency_key   text NOT NULL UNIQUE,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
  attempts          int NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  lease_until       timestamptz,
  outcome           text,
  last_status_code  int,
  created_at        timestamptz NOT NULL DEFAULT now(),
  delivered_at      timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
