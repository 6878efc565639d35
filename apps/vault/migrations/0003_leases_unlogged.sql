-- Leases are written on every secret read; WAL and fsync for each would double a read's
-- cost. Unlogged, a Postgres crash (or a failover) empties the table: every lease becomes
-- unknown, which fails closed — a presented lease is refused and a renewal answers 404, so
-- holders read the secret again (audited) and get new ones. Revocations are in the audit log.
alter table leases set unlogged;
