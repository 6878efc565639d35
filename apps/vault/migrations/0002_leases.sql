-- A lease per secret read: the credential handed out is valid until expires_at (renewable
-- up to max_expires_at) unless revoked. An expired or revoked lease fails the next read
-- that presents it; the holder must read the secret again (audited) to get a new one.
create table leases (
  id text primary key,
  path text not null references secrets (path),
  actor_type text not null,
  actor_id text not null,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  max_expires_at timestamptz not null,
  renewed_at timestamptz,
  revoked_at timestamptz,
  revoked_by text,
  check (expires_at <= max_expires_at)
);

create index leases_active_path on leases (path) where revoked_at is null;
create index leases_expires on leases (expires_at);
