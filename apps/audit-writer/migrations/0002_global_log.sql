-- The global log (log_id 'global', origin '<prefix>global'): each leaf lists the latest signed
-- (treeSize, rootHash) of every partition log, appended periodically, so one signed tree head
-- commits to all partition logs at once. Its name has no partition suffix.
alter table logs drop constraint logs_log_id_check;
alter table logs add constraint logs_log_id_check check (log_id = 'global' or log_id ~ '^.+-[0-9]+$');
