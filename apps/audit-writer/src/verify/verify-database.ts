import { Client, type ClientBase } from 'pg';
import { GLOBAL_LOG_ID, type GlobalHeads } from '../checkpoint/global-checkpointer';
import { originOf } from '../log/log-id';
import { LogVerifier, VerificationFailure, type StoredNode, type TrustedKeys } from './log-verifier';
import type { VerifyReport, VerifyOptions } from './verify-report';

const PAGE = 5000;
/** Signed roots kept per log between incremental runs when no global leaf bounds them. */
const MAX_KEPT_ROOTS = 10_000;

/** Where a log's verification stopped: resumable by a later incremental run. */
export interface VerifiedLogState {
  /** Entries verified, and the size of the checkpoint that signs exactly them. */
  size: number;
  /** Compact range of the verified entries (CompactRange.nodeIds(size)), recomputed from the leaves, never read from storage. */
  hashes: Buffer[];
  /** Root (base64) each verified checkpoint signs, by size, that a global leaf not yet verified may still list. */
  roots: Map<number, string>;
  /** Verifier keys the log handed over to (checkpoint handover lines) up to `size`. */
  learnedKeys?: string[];
  /** The global log only: the partition heads its newest verified leaf lists. */
  lastHeads?: GlobalHeads;
}

export interface DatabaseVerifyOptions extends VerifyOptions {
  /**
   * Per log, where an earlier run stopped: only the checkpoints and entries since are verified,
   * starting from that state, and the checkpoint of that size must still be there and sign the
   * state's root (a later one then signs an extension of it: consistency). Logs not listed are
   * verified from entry 0.
   */
  from?: ReadonlyMap<string, VerifiedLogState>;
}

export interface DatabaseVerifyReport extends VerifyReport {
  /** Per verified log (failed ones are left out), the state to resume from next time. */
  states: Map<string, VerifiedLogState>;
}

/**
 * Verifies every log of an audit database in one consistent snapshot (REPEATABLE READ, read
 * only): entries, stored nodes and checkpoints, streamed through cursors so memory stays flat
 * on any size. Trusts only `key` (and the origin naming rule).
 */
export async function verifyDatabase(url: string, key: TrustedKeys, options: DatabaseVerifyOptions = {}): Promise<DatabaseVerifyReport> {
  const client = new Client({ connectionString: url, application_name: 'vigil audit verify' });
  // A lost connection rejects the query in flight; without a listener it would also end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query("select to_regclass('audit.logs') is not null as ok");
    if (!exists.rows[0].ok) {
      throw new Error('this database has no audit.logs table: point --database at the audit-writer\'s database (its migrations create schema audit)');
    }
    return await verifyDatabaseOn(client, key, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** verifyDatabase on a connection the caller owns (the service's pool); leaves no transaction open. */
export async function verifyDatabaseOn(client: ClientBase, key: TrustedKeys, options: DatabaseVerifyOptions = {}): Promise<DatabaseVerifyReport> {
  const report: DatabaseVerifyReport = { logs: [], failures: [], entries: 0, states: new Map() };
  await client.query('begin isolation level repeatable read read only');
  try {
    const logs = await client.query<{ log_id: string; origin: string; tree_size: string }>('select log_id, origin, tree_size from audit.logs order by log_id');
    const total = logs.rows.reduce((sum, row) => sum + Number(row.tree_size) - (options.from?.get(row.log_id)?.size ?? 0), 0);
    options.onStart?.(total);
    // The global log last: its leaves are checked against the partition logs' verified roots.
    const ordered = [...logs.rows.filter((log) => log.log_id !== GLOBAL_LOG_ID), ...logs.rows.filter((log) => log.log_id === GLOBAL_LOG_ID)];
    const roots = new Map<string, Map<number, string> | 'failed'>();
    for (const log of ordered) {
      try {
        const { result, state } = await verifyLog(client, log, key, options, report, roots);
        report.logs.push(result);
        report.states.set(log.log_id, state);
      } catch (error) {
        if (!(error instanceof VerificationFailure)) throw error;
        report.failures.push(error);
        roots.set(log.log_id, 'failed');
        await client.query('close all').catch(() => undefined);
      }
    }
    pruneRoots(report.states);
    for (const orphan of await unlistedLogIds(client)) {
      const count = await client.query<{ n: string; first: string }>('select count(*) as n, min(seq) as first from audit.entries where log_id = $1', [orphan]);
      report.failures.push(new VerificationFailure(orphan, {}, `${count.rows[0]!.n} entries (from seq ${count.rows[0]!.first}) of a log that audit.logs does not list`));
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
  return report;
}

async function verifyLog(
  client: ClientBase,
  log: { log_id: string; origin: string; tree_size: string },
  key: TrustedKeys,
  options: DatabaseVerifyOptions,
  report: VerifyReport,
  roots: Map<string, Map<number, string> | 'failed'>,
): Promise<{ result: { logId: string; size: number; checkpoints: number }; state: VerifiedLogState }> {
  const logId = log.log_id;
  const expectedOrigin = originOf(options.originPrefix ?? 'vigil.audit/', logId);
  if (log.origin !== expectedOrigin) throw new VerificationFailure(logId, {}, `origin is "${log.origin}", expected "${expectedOrigin}"`);
  const start = options.from?.get(logId);
  const from = start?.size ?? 0;
  const verifier = new LogVerifier(logId, log.origin, key, start ?? { size: 0, hashes: [] });
  let lastHeads = start?.lastHeads;
  if (logId === GLOBAL_LOG_ID) {
    verifier.checkLeaf = (leaf) => {
      lastHeads = leaf.event as GlobalHeads;
      return globalLeafProblem(lastHeads, roots);
    };
  }

  // From a resumed state, the checkpoint of exactly its size comes first: the verifier checks it
  // still signs the state's root, so every later checkpoint signs an extension of what was verified.
  const checkpoints = await client.query<{ tree_size: string; root_hash: Buffer; note: string }>(
    'select tree_size, root_hash, note from audit.checkpoints where log_id = $1 and tree_size >= $2 order by tree_size',
    [logId, from],
  );
  if (from > 0 && Number(checkpoints.rows[0]?.tree_size) !== from) {
    throw new VerificationFailure(logId, { treeSize: from }, 'this checkpoint, verified by an earlier run, is no longer stored (checkpoints were removed or rewritten)');
  }
  for (const row of checkpoints.rows) {
    verifier.checkpoint({ treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note });
  }

  await client.query('declare entries_cur no scroll cursor for select seq, leaf_hash, entry from audit.entries where log_id = $1 and seq >= $2 order by seq', [logId, from]);
  // Nodes in the order appends complete them: by the end of their leaf range, then by level.
  await client.query(
    'declare nodes_cur no scroll cursor for select level, idx, hash from audit.nodes where log_id = $1 and (idx + 1) * (1::bigint << level) > $2 order by (idx + 1) * (1::bigint << level), level',
    [logId, from],
  );
  const nodes = nodeReader(client);
  for (;;) {
    const page = await client.query<{ seq: string; leaf_hash: Buffer; entry: Buffer }>(`fetch ${PAGE} from entries_cur`);
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      verifier.entry({ seq: Number(row.seq), leafHash: row.leaf_hash, entry: row.entry });
      verifier.checkNodes(await nodes.take(verifier.completed.length));
    }
    report.entries += page.rows.length;
    options.onProgress?.(report.entries);
  }
  await client.query('close entries_cur');
  await client.query('close nodes_cur');
  const result = verifier.finish();
  const signed = new Map([...(start?.roots ?? []), ...verifier.signedRoots]);
  roots.set(logId, signed);
  return { result, state: { ...verifier.state(), roots: signed, ...(lastHeads ? { lastHeads } : {}) } };
}

/**
 * Keeps, of each log's signed roots, only those a future global leaf may list: global leaves
 * list each log's head at the time, which never goes below what the newest one listed.
 */
function pruneRoots(states: Map<string, VerifiedLogState>): void {
  const listed = new Map((states.get(GLOBAL_LOG_ID)?.lastHeads?.logs ?? []).map((head) => [head.logId, head.treeSize]));
  for (const [logId, state] of states) {
    const floor = listed.get(logId);
    for (const size of state.roots.keys()) {
      if ((floor !== undefined && size < floor) || state.roots.size > MAX_KEPT_ROOTS) state.roots.delete(size);
    }
  }
}

/** A global leaf must list, for each partition log, a root that log's own verified checkpoint signs. */
function globalLeafProblem(heads: GlobalHeads, roots: Map<string, Map<number, string> | 'failed'>): string | undefined {
  if (heads?.type !== 'partition-heads' || !Array.isArray(heads.logs)) return 'is not a list of partition heads';
  for (const head of heads.logs) {
    const signed = roots.get(head.logId);
    if (signed === 'failed') continue; // already reported with its own first problem
    if (!signed) return `lists log ${head.logId}, which is missing from this database`;
    const root = signed.get(head.treeSize);
    if (root === undefined) return `lists log ${head.logId} at size ${head.treeSize}, where that log has no checkpoint (its checkpoints were removed or rewritten)`;
    if (root !== head.rootHash) return `lists log ${head.logId} at size ${head.treeSize} with root ${head.rootHash}, but that log's checkpoint signs ${root} (the log was rewritten)`;
  }
  return undefined;
}

/**
 * Log ids that have entries but no row in audit.logs (no foreign key forbids them, migration
 * 0003): the verifier above only walks listed logs, so these would otherwise go unseen. A loose
 * index scan (one index probe per distinct log id) rather than a DISTINCT over every entry.
 */
async function unlistedLogIds(client: ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ log_id: string }>(
    `with recursive ids (log_id) as (
       (select log_id from audit.entries order by log_id limit 1)
       union all
       select (select e.log_id from audit.entries e where e.log_id > ids.log_id order by e.log_id limit 1) from ids where ids.log_id is not null
     )
     select log_id from ids where log_id is not null and not exists (select 1 from audit.logs l where l.log_id = ids.log_id)`,
  );
  return rows.map((row) => row.log_id);
}

function nodeReader(client: ClientBase) {
  let buffer: StoredNode[] = [];
  let at = 0;
  let done = false;
  return {
    async take(count: number): Promise<(StoredNode | undefined)[]> {
      while (buffer.length - at < count && !done) {
        const page = await client.query<{ level: number; idx: string; hash: Buffer }>(`fetch ${PAGE * 2} from nodes_cur`);
        if (page.rows.length === 0) done = true;
        buffer = buffer.slice(at).concat(page.rows.map((row) => ({ level: row.level, index: Number(row.idx), hash: row.hash })));
        at = 0;
      }
      const taken = buffer.slice(at, at + count);
      at += count;
      return taken;
    },
  };
}
