-- The vault's state. Every key and value here is ciphertext: the master key (never
-- stored) wraps the keyring; the keyring wraps secret values and transit key material.

-- One row: the key check value, the master key's seal of a fixed block. A master key
-- that cannot open it is the wrong one (told apart from a tampered keyring row).
create table seal_config (
  id boolean primary key default true check (id),
  key_check bytea not null,
  created_at timestamptz not null default now()
);

-- Data-encryption keys, each sealed by the master key with its version as associated data.
create table keyring (
  version integer primary key check (version > 0),
  wrapped bytea not null,
  created_at timestamptz not null default now()
);

create table secrets (
  path text primary key,
  current_version integer not null default 0 check (current_version >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per kept version; ciphertext is null once destroyed. Bound to (path, version) as associated data.
create table secret_versions (
  path text not null references secrets (path),
  version integer not null check (version > 0),
  keyring_version integer not null references keyring (version),
  ciphertext bytea,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  destroyed_at timestamptz,
  primary key (path, version),
  check ((destroyed_at is null) = (ciphertext is not null))
);

create table transit_keys (
  name text primary key,
  latest_version integer not null check (latest_version > 0),
  min_decryption_version integer not null default 1 check (min_decryption_version between 1 and latest_version),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Key material sealed by the keyring; encryptions_reserved only grows (see encryption-counter.ts).
create table transit_key_versions (
  name text not null references transit_keys (name),
  version integer not null check (version > 0),
  keyring_version integer not null references keyring (version),
  wrapped bytea not null,
  encryptions_reserved bigint not null default 0 check (encryptions_reserved >= 0),
  created_at timestamptz not null default now(),
  primary key (name, version)
);
