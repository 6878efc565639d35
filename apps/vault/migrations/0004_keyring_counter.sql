-- Keyring keys seal with random 96-bit nonces too: count their uses like transit keys'
-- (reserved in blocks, only grows), so a keyring key is rotated well before the GCM bound.
alter table keyring add column encryptions_reserved bigint not null default 0 check (encryptions_reserved >= 0);
