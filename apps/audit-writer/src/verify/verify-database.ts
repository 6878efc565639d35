import type { NoteVerifier } from '@vigil/merkle';
import { Client } from 'pg';
import { GLOBAL_LOG_ID, type GlobalHeads } from '../checkpoint/global-checkpointer';
import { originOf } from '../log/log-id';
import { LogVerifier, VerificationFailure, type StoredNode } from './log-verifier';
import type { VerifyReport, VerifyOptions } from './verify-report';

const PAGE = 5000;

/**
 * Verifies every log of an audit database in one consistent snapshot (REPEATABLE READ, read
 * only): entries, stored nodes and checkpoints, streamed through cursors so memory stays flat
 * on any size. Trusts only `key` (and the origin naming rule).
 */
export async function verifyDatabase(url: string, key: NoteVerifier | string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const client = new Client({ connectionString: url, application_name: 'vigil audit verify' });
  // A lost connection rejects the query in flight; without a listener it would also end the process.
  client.on('error', () => undefined);
  await client.connect();
  const exists = await client.query("select to_regclass('audit.logs') is not null as ok");
  if (!exists.rows[0].ok) {
    await client.end();
    throw new Error('this database has no audit.logs table: point --database at the audit-writer\'s database (its migrations create schema audit)');
  }
  const report: VerifyReport = { logs: [], failures: [], entries: 0 };
  try {
    await client.query('begin isolation level repeatable read read only');
    const logs = await client.query<{ log_id: string; origin: string; tree_size: string }>('select log_id, origin, tree_size from audit.logs order by log_id');
    const total = logs.rows.reduce((sum, row) => sum + Number(row.tree_size), 0);
    options.onStart?.(total);
    // The global log last: its leaves are checked against the partition logs' verified roots.
    const ordered = [...logs.rows.filter((log) => log.log_id !== GLOBAL_LOG_ID), ...logs.rows.filter((log) => log.log_id === GLOBAL_LOG_ID)];
    const roots = new Map<string, Map<number, string> | 'failed'>();
    for (const log of ordered) {
      try {
        report.logs.push(await verifyLog(client, log, key, options, report, roots));
      } catch (error) {
        if (!(error instanceof VerificationFailure)) throw error;
        report.failures.push(error);
        roots.set(log.log_id, 'failed');
        await client.query('close all').catch(() => undefined);
      }
    }
    for (const orphan of await unlistedLogIds(client)) {
      const count = await client.query<{ n: string; first: string }>('select count(*) as n, min(seq) as first from audit.entries where log_id = $1', [orphan]);
      report.failures.push(new VerificationFailure(orphan, {}, `${count.rows[0]!.n} entries (from seq ${count.rows[0]!.first}) of a log that audit.logs does not list`));
    }
    await client.query('commit');
  } finally {
    await client.end().catch(() => undefined);
  }
  return report;
}

async function verifyLog(
  client: Client,
  log: { log_id: string; origin: string; tree_size: string },
  key: NoteVerifier | string,
  options: VerifyOptions,
  report: VerifyReport,
  roots: Map<string, Map<number, string> | 'failed'>,
): Promise<{ logId: string; size: number; checkpoints: number }> {
  const logId = log.log_id;
  const expectedOrigin = originOf(options.originPrefix ?? 'vigil.audit/', logId);
  if (log.origin !== expectedOrigin) throw new VerificationFailure(logId, {}, `origin is "${log.origin}", expected "${expectedOrigin}"`);
  const verifier = new LogVerifier(logId, log.origin, key);
  if (logId === GLOBAL_LOG_ID) verifier.checkLeaf = (leaf) => globalLeafProblem(leaf.event as GlobalHeads, roots);

  const checkpoints = await client.query<{ tree_size: string; root_hash: Buffer; note: string }>(
    'select tree_size, root_hash, note from audit.checkpoints where log_id = $1 order by tree_size',
    [logId],
  );
  for (const row of checkpoints.rows) {
    verifier.checkpoint({ treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note });
  }

  await client.query('declare entries_cur no scroll cursor for select seq, leaf_hash, entry from audit.entries where log_id = $1 order by seq', [logId]);
  // Nodes in the order appends complete them: by the end of their leaf range, then by level.
  await client.query(
    'declare nodes_cur no scroll cursor for select level, idx, hash from audit.nodes where log_id = $1 order by (idx + 1) * (1::bigint << level), level',
    [logId],
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
  roots.set(logId, verifier.signedRoots);
  return result;
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
async function unlistedLogIds(client: Client): Promise<string[]> {
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

function nodeReader(client: Client) {
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
