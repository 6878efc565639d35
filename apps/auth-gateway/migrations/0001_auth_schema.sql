-- The auth-gateway's own schema (`auth`). Secrets are never stored in the clear:
-- passwords, recovery codes, refresh tokens and client secrets as hashes; TOTP seeds and
-- signing keys' private halves encrypted (SeedCipher: AES-256-GCM now, the vault's transit later).

create table users (
  id               uuid primary key,
  username         text not null unique,
  -- Argon2id in PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
  password_hash    text not null,
  roles            text[] not null default '{}',
  disabled         boolean not null default false,
  -- Set by an admin; cleared by unlock. Brute-force locks live in Redis.
  locked_until     timestamptz,
  -- 'required': must enrol at next login; 'pending': a seed is issued, not yet confirmed; 'enrolled'.
  mfa_state        text not null default 'required' check (mfa_state in ('required', 'pending', 'enrolled')),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);

create table totp_enrolments (
  user_id          uuid primary key references users (id) on delete cascade,
  -- The seed, encrypted by SeedCipher (text form names the cipher and key version).
  seed_ciphertext  text not null,
  algorithm        text not null default 'SHA1' check (algorithm in ('SHA1', 'SHA256', 'SHA512')),
  digits           smallint not null default 6 check (digits in (6, 8)),
  period_sec       smallint not null default 30 check (period_sec > 0),
  confirmed_at     timestamptz,
  created_at       timestamptz not null default now()
);

-- Each TOTP time step is accepted once per user (RFC 6238 §5.2): the primary key refuses a
-- second use even when two requests race.
create table totp_used_steps (
  user_id          uuid not null references users (id) on delete cascade,
  time_step        bigint not null,
  used_at          timestamptz not null default now(),
  primary key (user_id, time_step)
);

create table recovery_codes (
  id               bigserial primary key,
  user_id          uuid not null references users (id) on delete cascade,
  -- SHA-256 of the code: the codes are 80 random bits, so a slow hash adds nothing.
  code_hash        bytea not null,
  used_at          timestamptz,
  created_at       timestamptz not null default now(),
  unique (user_id, code_hash)
);

create table sessions (
  id               uuid primary key,
  user_id          uuid not null references users (id) on delete cascade,
  -- When the password + MFA check that opened the session (or the last step-up) happened.
  auth_time        timestamptz not null,
  amr              text[] not null,
  ip               text,
  created_at       timestamptz not null default now(),
  expires_at       timestamptz not null,
  revoked_at       timestamptz,
  revoked_reason   text
);
create index sessions_user_idx on sessions (user_id) where revoked_at is null;

-- One family per session: every refresh rotates the token; a token presented after it was
-- rotated (replayed) revokes the whole family and its session.
create table refresh_tokens (
  -- SHA-256 of the opaque token (256 random bits).
  token_hash       bytea primary key,
  session_id       uuid not null references sessions (id) on delete cascade,
  generation       integer not null,
  created_at       timestamptz not null default now(),
  expires_at       timestamptz not null,
  -- Set when it was exchanged for its successor.
  rotated_at       timestamptz,
  unique (session_id, generation)
);

create table signing_keys (
  kid              text primary key,
  -- The public JWK (published in the JWKS while active or previous).
  public_jwk       jsonb not null,
  -- The private JWK, encrypted by SeedCipher.
  private_jwk_ciphertext text not null,
  status           text not null check (status in ('active', 'previous', 'retired')),
  created_at       timestamptz not null default now(),
  retired_at       timestamptz
);
-- At most one active key.
create unique index signing_keys_one_active on signing_keys (status) where status = 'active';

create table service_accounts (
  client_id        text primary key,
  -- Argon2id PHC string of the client secret.
  secret_hash      text not null,
  roles            text[] not null default '{}',
  disabled         boolean not null default false,
  created_at       timestamptz not null default now()
);
