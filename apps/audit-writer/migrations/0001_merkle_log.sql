-- The audit-writer's append-only Merkle logs (one per source topic-partition).
-- Runs with search_path = audit (libs/database migrate). See README.md "Storage".

-- One row per log. tree_size is the signed size of the latest checkpoint; the writer locks
-- this row (SELECT ... FOR UPDATE) for the whole of a batch's transaction.
create table logs (
  log_id     text primary key check (log_id ~ '^.+-[0-9]+$'),
  origin     text not null unique check (origin !~ '\n'),
  tree_size  bigint not null default 0 check (tree_size >= 0),
  created_at timestamptz not null default now()
);

-- Leaves. The entry bytes are the leaf (README "Leaf encoding"); leaf_hash = SHA-256(0x00 || entry).
-- Partitioned by arrival time; (log_id, seq) is unique by construction (the log row lock and the
-- offsets below), and the offline verifier checks it.
create table entries (
  log_id        text not null references logs (log_id),
  seq           bigint not null check (seq >= 0),
  leaf_hash     bytea not null check (length(leaf_hash) = 32),
  entry         bytea not null,
  arrived_at    timestamptz not null,
  source_offset bigint not null,
  event_id      text not null,
  primary key (log_id, seq, arrived_at)
) partition by range (arrived_at);
create table entries_default partition of entries default;
-- Inclusion proofs by leaf hash. (No index on event_id: every index costs each append; add one
-- in a later migration if a lookup by event id is ever served.)
create index entries_leaf_hash on entries (log_id, leaf_hash);

-- Perfect subtrees that CompactRange appends complete: (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Only levels 4, 8, 12, ... are kept (level 0 is
-- entries.leaf_hash); other nodes are recomputed from at most 8 stored ones below them
-- (src/log/node-strata.ts): one row per 16 entries. Proofs read only these and leaf hashes.
create table nodes (
  log_id text not null references logs (log_id),
  level  smallint not null check (level between 4 and 60 and level % 4 = 0),
  idx    bigint not null check (idx >= 0),
  hash   bytea not null check (length(hash) = 32),
  primary key (log_id, level, idx)
);

-- Signed C2SP checkpoints, one per batch that grew the log.
create table checkpoints (
  log_id     text not null references logs (log_id),
  tree_size  bigint not null check (tree_size > 0),
  root_hash  bytea not null check (length(root_hash) = 32),
  note       text not null,
  created_at timestamptz not null default now(),
  primary key (log_id, tree_size)
);

-- The truth about what has been consumed: the next offset to append, per consumed partition.
-- Updated in the same transaction as the entries; Kafka's own commit is only an optimisation.
create table consumer_offsets (
  group_id    text not null,
  topic       text not null,
  partition   integer not null check (partition >= 0),
  log_id      text not null references logs (log_id),
  next_offset bigint not null check (next_offset >= 0),
  primary key (group_id, topic, partition)
);

-- Append-only, enforced here rather than trusted to the application.
create function reject_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit.%: % is not allowed; the audit log is append-only', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end $$;

create trigger entries_append_only before update or delete on entries for each row execute function reject_change();
create trigger entries_no_truncate before truncate on entries for each statement execute function reject_change();
create trigger entries_default_no_truncate before truncate on entries_default for each statement execute function reject_change();
create trigger nodes_append_only before update or delete on nodes for each row execute function reject_change();
create trigger nodes_no_truncate before truncate on nodes for each statement execute function reject_change();
create trigger checkpoints_append_only before update or delete on checkpoints for each row execute function reject_change();
create trigger checkpoints_no_truncate before truncate on checkpoints for each statement execute function reject_change();
create trigger logs_no_delete before delete on logs for each row execute function reject_change();
create trigger logs_no_truncate before truncate on logs for each statement execute function reject_change();

-- A log's size only grows, and its identity never changes.
create function logs_grow_only() returns trigger language plpgsql as $$
begin
  if new.log_id <> old.log_id or new.origin <> old.origin or new.created_at <> old.created_at or new.tree_size < old.tree_size then
    raise exception 'audit.logs: log % may only grow (tree_size % -> %), never be renamed or shrunk', old.log_id, old.tree_size, new.tree_size
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;
create trigger logs_grow_only before update on logs for each row execute function logs_grow_only();

-- Monthly partitions of entries for this month and the next `months_ahead`. A TRUNCATE on the
-- parent does not fire on a partition truncated directly, so each partition gets its own trigger.
-- Run by the migration and at every writer start (as the schema owner, not the writer role).
create function ensure_entry_partitions(months_ahead integer default 2) returns integer language plpgsql
  set search_path from current as $$
declare
  month date;
  name text;
  created integer := 0;
begin
  for i in 0..months_ahead loop
    month := (date_trunc('month', now() at time zone 'UTC') + make_interval(months => i))::date;
    name := format('entries_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
    if to_regclass(format('%I.%I', current_schema(), name)) is null then
      execute format('create table %I partition of entries for values from (%L) to (%L)',
                     name, (month::timestamp at time zone 'UTC'), ((month + interval '1 month')::timestamp at time zone 'UTC'));
      execute format('create trigger %I before truncate on %I for each statement execute function reject_change()', name || '_no_truncate', name);
      execute format('grant select, insert on %I to vigil_audit_writer', name);
      created := created + 1;
    end if;
  end loop;
  return created;
end $$;

-- The role the writer runs its transactions as (SET LOCAL ROLE): it can read everything and
-- append, but change only a log's size and its consumed offsets. NOLOGIN: a login user is
-- granted membership (GRANT vigil_audit_writer TO <user>), see README.md.
do $$
begin
  if not exists (select from pg_roles where rolname = 'vigil_audit_writer') then
    create role vigil_audit_writer nologin;
  end if;
end $$;
grant usage on schema audit to vigil_audit_writer;
grant select, insert on logs, entries, entries_default, nodes, checkpoints, consumer_offsets to vigil_audit_writer;
grant update (tree_size) on logs to vigil_audit_writer;
grant update (next_offset) on consumer_offsets to vigil_audit_writer;

select ensure_entry_partitions(2);
