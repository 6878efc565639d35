import { exampleAuditEvent } from '@vigil/contracts';
import { generateNoteKeys, leafHash, parseVerifierKey, signCheckpoint, verifyConsistency, verifyInclusion } from '@vigil/merkle';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@vigil/testing';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { GlobalCheckpointer } from '../checkpoint/global-checkpointer';
import { CheckpointSigning } from '../checkpoint/checkpoint-signing';
import { checkpointKeyFrom } from '../checkpoint/signing-key';
import { migrateAudit } from '../migrate';
import { writeBundle } from '../verify/bundle';
import { verifyBundle } from '../verify/verify-bundle';
import { verifyDatabase } from '../verify/verify-database';
import { LogAppender, type SourceRecord } from './log-appender';
import { LogReader } from './log-reader';

// The log store against a real Postgres (a throwaway database): appending exactly once, proofs
// from stored nodes, the append-only triggers and role, and the offline verifier catching each
// kind of tampering a superuser could do behind the triggers' back.
const keys = generateNoteKeys('vigil.audit.test');
const key = checkpointKeyFrom(keys.signerKey);
const PREFIX = 'tz.';

function records(partition: number, from: number, count: number): SourceRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: `${PREFIX}audit.events.v1`,
    partition,
    offset: BigInt(from + i),
    value: exampleAuditEvent({ eventId: `p${partition}-o${from + i}` }),
  }));
}

describe('audit Merkle log in Postgres', () => {
  let db: ThrowawayDatabase;
  let pool: Pool;
  let appender: LogAppender;

  beforeAll(async () => {
    db = await createThrowawayDatabase();
    expect(await migrateAudit(db.url)).toEqual(['0001_merkle_log.sql', '0002_global_log.sql', '0003_entries_without_foreign_key.sql']);
    pool = new Pool({ connectionString: db.url, max: 4 });
    appender = new LogAppender({ pool, signing: new CheckpointSigning(key), groupId: 'g', topicPrefix: PREFIX, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('appends batches once, skipping re-delivered offsets, with a checkpoint per batch and proofs from stored nodes', async () => {
    await appender.append([...records(0, 0, 5), ...records(1, 0, 3)]);
    const global = new GlobalCheckpointer({ pool, signing: new CheckpointSigning(key), originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
    expect(await global.run()).toMatchObject({ logId: 'global', treeSize: 1 });
    expect(await global.run()).toBeUndefined(); // nothing changed
    // A re-delivery overlapping what is stored, then a fresh appender (a restart) continuing.
    await appender.append(records(0, 3, 6));
    const restarted = new LogAppender({ pool, signing: new CheckpointSigning(key), groupId: 'g', topicPrefix: PREFIX, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
    const checkpoints = await restarted.append([...records(0, 0, 40), ...records(1, 3, 1)]);
    expect(checkpoints.map((c) => [c.logId, c.treeSize])).toEqual([
      ['audit.events.v1-0', 40],
      ['audit.events.v1-1', 4],
    ]);
    expect(await restarted.append(records(0, 5, 7))).toEqual([]);

    const { rows } = await pool.query("select seq, source_offset, event_id from audit.entries where log_id = 'audit.events.v1-0' order by seq");
    expect(rows.map((r) => [Number(r.seq), Number(r.source_offset), r.event_id])).toEqual(Array.from({ length: 40 }, (_, i) => [i, i, `p0-o${i}`]));

    const reader = new LogReader(pool);
    const latest = await reader.latestCheckpoint('audit.events.v1-0');
    const root = Buffer.from(latest.rootHash, 'base64');
    for (let seq = 0; seq < 40; seq++) {
      const entry = await reader.entry('audit.events.v1-0', seq);
      const proof = await reader.inclusion('audit.events.v1-0', seq, 40);
      expect(proof.rootHash).toBe(latest.rootHash);
      verifyInclusion(seq, 40, leafHash(Buffer.from(entry.entry, 'base64')), proof.proof.map((h) => Buffer.from(h, 'base64')), root);
    }
    const old = (await reader.checkpoints('audit.events.v1-0', 1, 5))[0]!;
    const consistency = await reader.consistency('audit.events.v1-0', old.treeSize, 40);
    verifyConsistency(old.treeSize, 40, Buffer.from(old.rootHash, 'base64'), root, consistency.proof.map((h) => Buffer.from(h, 'base64')));

    expect(await global.run()).toMatchObject({ logId: 'global', treeSize: 2 });
    const globalLeaf = JSON.parse(Buffer.from((await reader.entry('global', 1)).entry, 'base64').subarray(1).toString());
    expect(globalLeaf.event).toEqual({
      type: 'partition-heads',
      logs: [
        { logId: 'audit.events.v1-0', treeSize: 40, rootHash: latest.rootHash },
        { logId: 'audit.events.v1-1', treeSize: 4, rootHash: (await reader.latestCheckpoint('audit.events.v1-1')).rootHash },
      ],
    });

    const report = await verifyDatabase(db.url, parseVerifierKey(keys.verifierKey));
    expect(report.failures).toEqual([]);
    expect(report.logs).toEqual([
      { logId: 'audit.events.v1-0', size: 40, checkpoints: 3 },
      { logId: 'audit.events.v1-1', size: 4, checkpoints: 2 },
      { logId: 'global', size: 2, checkpoints: 2 },
    ]);

    // A bundle of every log: the global leaves' partition heads are cross-checked against the
    // partition parts' checkpoints (4 heads: 2 leaves × 2 logs), wherever the global part sits.
    const lines: string[] = [];
    for (const logId of ['global', 'audit.events.v1-0', 'audit.events.v1-1']) await writeBundle(pool, { logId }, (line) => void lines.push(line));
    const file = path.join(tmpdir(), `vigil-audit-bundle-${process.pid}.jsonl`);
    try {
      writeFileSync(file, lines.join(''));
      expect(await verifyBundle(file, keys.verifierKey)).toMatchObject({ failures: [], crossChecked: 4 });
      // Without the partition checkpoint the first global leaf lists, the partition part still
      // verifies on its own; the global log does not.
      writeFileSync(file, lines.filter((line) => !(line.includes('"type":"checkpoint"') && line.includes('"treeSize":5,') && line.includes('audit.events.v1-0'))).join(''));
      const partial = await verifyBundle(file, keys.verifierKey);
      expect(partial.failures.map((f) => f.message)).toEqual(['log global, entry 0: lists log audit.events.v1-0 at size 5, where that log has no checkpoint in this bundle (its checkpoints were removed or rewritten)']);
      expect(partial.logs.map((log) => log.logId)).toEqual(['audit.events.v1-0', 'audit.events.v1-1']);
      // A part that starts past the sizes a global leaf lists cannot check them, and does not fail for it.
      const late: string[] = [];
      for (const logId of ['global', 'audit.events.v1-1']) await writeBundle(pool, { logId }, (line) => void late.push(line));
      await writeBundle(pool, { logId: 'audit.events.v1-0', from: 9 }, (line) => void late.push(line));
      writeFileSync(file, late.join(''));
      expect(await verifyBundle(file, keys.verifierKey)).toMatchObject({ failures: [], crossChecked: 3 });
    } finally {
      rmSync(file, { force: true });
    }
  });

  it.each([
    ['UPDATE of an entry', "update audit.entries set event_id = 'x' where seq = 0"],
    ['DELETE of an entry', 'delete from audit.entries where seq = 0'],
    ['TRUNCATE of entries', 'truncate audit.entries'],
    ['TRUNCATE of a monthly partition', `truncate audit.entries_y${new Date().getUTCFullYear()}m${String(new Date().getUTCMonth() + 1).padStart(2, '0')}`],
    ['UPDATE of a node', 'update audit.nodes set hash = hash where level = 4'],
    ['DELETE of a checkpoint', 'delete from audit.checkpoints'],
    ['TRUNCATE of checkpoints', 'truncate audit.checkpoints'],
    ['shrinking a log', 'update audit.logs set tree_size = 1'],
    ['DELETE of a log', 'delete from audit.logs'],
  ])('rejects %s, even by the table owner', async (_name, sql) => {
    await expect(pool.query(sql)).rejects.toThrow(/append-only|may only grow|insufficient_privilege|not allowed/);
  });

  it('gives the writer role nothing but SELECT and INSERT on the log (and moving its size and offsets)', async () => {
    const client = await pool.connect();
    try {
      for (const sql of ['alter table audit.entries disable trigger entries_append_only', "update audit.entries set event_id = 'x'", 'set session_replication_role = replica', 'drop table audit.nodes']) {
        await client.query('begin');
        await client.query('set local role vigil_audit_writer');
        await expect(client.query(sql)).rejects.toThrow(/permission denied|must be owner|append-only/);
        await client.query('rollback');
      }
    } finally {
      client.release();
    }
  });

  describe('tampering by a superuser bypassing the triggers', () => {
    const LOG = 'audit.events.v1-0';
    // The verifier reads through its own connection, so each case commits its change, verifies,
    // then undoes it and checks the log verifies again.
    async function tampered(change: string, undo: string): Promise<string[]> {
      await pool.query(`set session_replication_role = replica; ${change}; set session_replication_role = origin`);
      try {
        const report = await verifyDatabase(db.url, keys.verifierKey);
        return report.failures.map((f) => f.message);
      } finally {
        await pool.query(`set session_replication_role = replica; ${undo}; set session_replication_role = origin`);
        expect((await verifyDatabase(db.url, keys.verifierKey)).failures).toEqual([]);
      }
    }

    it('names the entry whose byte was changed', async () => {
      expect(
        await tampered(
          `update audit.entries set entry = overlay(entry placing '\\x58'::bytea from 30 for 1) where log_id = '${LOG}' and seq = 7`,
          `update audit.entries set entry = overlay(entry placing (select substring(entry from 30 for 1) from audit.entries where log_id = '${LOG}' and seq = 6) from 30 for 1) where log_id = '${LOG}' and seq = 7`,
        ),
      ).toEqual([expect.stringMatching(/^log audit\.events\.v1-0, entry 7: /)]);
    });

    it('names a deleted entry', async () => {
      await pool.query(`create temp table saved as select * from audit.entries where log_id = '${LOG}' and seq = 4`);
      expect(await tampered(`delete from audit.entries where log_id = '${LOG}' and seq = 4`, 'insert into audit.entries select * from saved')).toEqual([
        'log audit.events.v1-0, entry 4: missing: the next stored entry is 5',
      ]);
      await pool.query('drop table saved');
    });

    it('names swapped entries', async () => {
      const swap = `update audit.entries set seq = case seq when 2 then 9 else 2 end where log_id = '${LOG}' and seq in (2, 9)`;
      expect(await tampered(swap, swap)).toEqual(['log audit.events.v1-0, entry 2: holds the leaf of log audit.events.v1-0 entry 9 (entries moved, swapped or copied)']);
    });

    it('names an inserted entry, in the middle and at the end', async () => {
      // A forged row: a copy of entry 3, a millisecond later (the key includes the arrival time).
      const copy = (seq: number) =>
        `insert into audit.entries select log_id, ${seq}, leaf_hash, entry, arrived_at + interval '1 ms', source_offset, event_id from audit.entries where log_id = '${LOG}' and seq = 3`;
      const forged = `(select max(arrived_at) from audit.entries where log_id = '${LOG}' and seq = 3)`;
      const messages = await tampered(copy(3), `delete from audit.entries where log_id = '${LOG}' and seq = 3 and arrived_at = ${forged}`);
      expect(messages).toEqual([expect.stringMatching(/^log audit\.events\.v1-0, entry 3: stored twice/)]);
      expect(await tampered(copy(40), `delete from audit.entries where log_id = '${LOG}' and seq = 40`)).toEqual([
        expect.stringMatching(/^log audit\.events\.v1-0, entry 40: .*(holds the leaf of|not covered)/),
      ]);
    });

    it('names entries of a log that audit.logs does not list', async () => {
      const copy = `insert into audit.entries select 'audit.events.v1-77', seq, leaf_hash, entry, arrived_at, source_offset, event_id from audit.entries where log_id = '${LOG}' and seq between 2 and 4`;
      expect(await tampered(copy, "delete from audit.entries where log_id = 'audit.events.v1-77'")).toEqual(['log audit.events.v1-77, log: 3 entries (from seq 2) of a log that audit.logs does not list']);
    });

    it('names a changed node hash (proofs are served from them)', async () => {
      const flip = `update audit.nodes set hash = overlay(hash placing decode(lpad(to_hex(get_byte(hash, 0) # 1), 2, '0'), 'hex') from 1 for 1) where log_id = '${LOG}' and level = 4 and idx = 1`;
      expect(await tampered(flip, flip)).toEqual(['log audit.events.v1-0, stored node (level 4, index 1): differs from the hash its leaves give (proofs served from it would be wrong)']);
    });

    it('names the global entry whose partition head no longer matches a checkpoint', async () => {
      await pool.query(`create temp table saved_cp as select * from audit.checkpoints where log_id = '${LOG}' and tree_size = 5`);
      expect(await tampered(`delete from audit.checkpoints where log_id = '${LOG}' and tree_size = 5`, 'insert into audit.checkpoints select * from saved_cp')).toEqual([
        'log global, entry 0: lists log audit.events.v1-0 at size 5, where that log has no checkpoint (its checkpoints were removed or rewritten)',
      ]);
      await pool.query('drop table saved_cp');
    });

    it('stops the writer from extending a log whose stored nodes no longer give its signed root', async () => {
      // Stored node (level 4, index 0) covers entries 0..15; the right edge of a 40-entry log (32 + 8) is rebuilt from it.
      const flip = `update audit.nodes set hash = overlay(hash placing decode(lpad(to_hex(get_byte(hash, 0) # 1), 2, '0'), 'hex') from 1 for 1) where log_id = '${LOG}' and level = 4 and idx = 0`;
      await pool.query(`set session_replication_role = replica; ${flip}; set session_replication_role = origin`);
      try {
        const fresh = new LogAppender({ pool, signing: new CheckpointSigning(key), groupId: 'g', topicPrefix: PREFIX, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
        await expect(fresh.append(records(0, 40, 1))).rejects.toThrow(/audit log audit\.events\.v1-0 at size 40: the stored node hashes do not give the root its latest checkpoint signs/);
        expect((await pool.query(`select count(*)::int as n from audit.entries where log_id = '${LOG}'`)).rows[0].n).toBe(40);
      } finally {
        await pool.query(`set session_replication_role = replica; ${flip}; set session_replication_role = origin`);
      }
    });

    it('names a forged checkpoint', async () => {
      const other = generateNoteKeys('vigil.audit.test');
      const forger = checkpointKeyFrom(other.signerKey);
      const note = signCheckpoint({ origin: `vigil.audit/${LOG}`, size: 40, rootHash: Buffer.alloc(32, 1) }, [forger.signer]);
      const saved = (await pool.query(`select note, root_hash from audit.checkpoints where log_id = '${LOG}' and tree_size = 40`)).rows[0];
      expect(
        await tampered(
          `update audit.checkpoints set note = ${pg(note)}, root_hash = '\\x${'01'.repeat(32)}' where log_id = '${LOG}' and tree_size = 40`,
          `update audit.checkpoints set note = ${pg(saved.note)}, root_hash = '\\x${saved.root_hash.toString('hex')}' where log_id = '${LOG}' and tree_size = 40`,
        ),
      ).toEqual([expect.stringMatching(/^log audit\.events\.v1-0, checkpoint at size 40: signature check failed/)]);
    });
  });
});

// Rotating the checkpoint signing key on a real Postgres: followed while running (handover
// cosigned by both keys), or with a restart (the old verifier key listed for the writer; an
// auditor then passes both keys).
describe('audit Merkle log across a signing-key rotation', () => {
  let db: ThrowawayDatabase;
  let pool: Pool;
  const newKeys = generateNoteKeys('vigil.audit.test');
  const newKey = checkpointKeyFrom(newKeys.signerKey);
  const appenderWith = (signing: CheckpointSigning) => new LogAppender({ pool, signing, groupId: 'g', topicPrefix: PREFIX, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });

  beforeEach(async () => {
    db = await createThrowawayDatabase();
    await migrateAudit(db.url);
    pool = new Pool({ connectionString: db.url, max: 4 });
  });
  afterEach(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('a rotation while running: later checkpoints are cosigned with a handover, and an auditor holding only the old key verifies the whole log', async () => {
    const signing = new CheckpointSigning(key);
    const appender = appenderWith(signing);
    const global = new GlobalCheckpointer({ pool, signing, originPrefix: 'vigil.audit/', role: 'vigil_audit_writer' });
    await appender.append([...records(0, 0, 10), ...records(1, 0, 5)]);
    await global.run();
    expect(signing.rotate(newKey)).toBe(true);
    expect(signing.rotate(newKey)).toBe(false); // the same key again changes nothing
    await appender.append([...records(0, 10, 10), ...records(1, 5, 5)]);
    await global.run();
    // A restart with only the new key: each log's latest checkpoint carries the new key's signature, so the writer goes on.
    await appenderWith(new CheckpointSigning(newKey)).append(records(0, 20, 5));

    const notes = (await pool.query<{ tree_size: string; note: string }>("select tree_size, note from audit.checkpoints where log_id = 'audit.events.v1-0' order by tree_size")).rows;
    expect(notes.map((n) => [Number(n.tree_size), n.note.includes('vigil-key-handover'), n.note.split('\u2014').length - 1])).toEqual([
      [10, false, 1],
      [20, true, 2],
      [25, false, 1],
    ]);
    const fromOldKey = await verifyDatabase(db.url, keys.verifierKey);
    expect(fromOldKey.failures).toEqual([]);
    expect(fromOldKey.logs.map((l) => [l.logId, l.size, l.checkpoints])).toEqual([
      ['audit.events.v1-0', 25, 3],
      ['audit.events.v1-1', 10, 2],
      ['global', 2, 2],
    ]);
    // Trusting only the new key, the checkpoints from before the rotation are not vouched for.
    expect((await verifyDatabase(db.url, newKeys.verifierKey)).failures.map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^log audit\.events\.v1-0, checkpoint at size 10: signature check failed \(NO_TRUSTED_SIGNATURE\)/)]),
    );
  });

  it('a rotation with a restart: the writer extends a log signed by the old key only when that key is listed, and an auditor passes both keys', async () => {
    await appenderWith(new CheckpointSigning(key)).append(records(0, 0, 10));
    await expect(appenderWith(new CheckpointSigning(newKey)).append(records(0, 10, 5))).rejects.toThrow(
      /audit log audit\.events\.v1-0 at size 10: its latest checkpoint does not verify with this writer's key .*VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS/,
    );
    expect(() => new CheckpointSigning(newKey, ['not-a-key'])).toThrow(/VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS\[0\]/);
    await appenderWith(new CheckpointSigning(newKey, [keys.verifierKey])).append(records(0, 10, 5));
    expect((await verifyDatabase(db.url, keys.verifierKey)).failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/^log audit\.events\.v1-0, checkpoint at size 15: signature check failed \(NO_TRUSTED_SIGNATURE\).*pass its new verifier key too\)$/),
    ]);
    expect((await verifyDatabase(db.url, [keys.verifierKey, newKeys.verifierKey])).failures).toEqual([]);
  });
});

function pg(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
