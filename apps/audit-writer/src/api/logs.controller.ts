import { BadRequestException, Controller, Get, HttpException, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@vigil/auth';
import { PG_POOL } from '@vigil/service';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { CHECKPOINT_KEY } from '../checkpoint/checkpoint.constants';
import type { CheckpointSigning } from '../checkpoint/checkpoint-signing';
import { LogQueryError, LogReader } from '../log/log-reader';
import { writeBundle } from '../verify/bundle';

// One guard per route (a class-level guard would run, and audit, twice on the export route).
const READ = RequirePermission('audit:read', { resource: (req) => `audit-log:${req.params['logId'] ?? '*'}` });

/**
 * The audit logs over HTTP, read-only, behind libs/auth's guard: a gateway token whose roles
 * grant `audit:read` (the `auditor` role does), and `audit:export` with a fresh MFA step-up
 * for bundles. Every decision is audited on audit.events.v1.
 */
@ApiTags('audit logs')
@Controller('v1/logs')
export class LogsController {
  private readonly reader: LogReader;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CHECKPOINT_KEY) private readonly signing: CheckpointSigning,
  ) {
    this.reader = new LogReader(pool);
  }

  @Get()
  @READ
  @ApiOperation({ summary: 'Every log (one per source topic-partition) with its size, origin and the verifier key' })
  @ApiOkResponse({ description: '{ verifierKey, previousVerifierKeys, logs: [{ logId, origin, treeSize, createdAt }] }: verifierKey signs new checkpoints; checkpoints before a rotation carry the earlier keys' })
  async list() {
    return { verifierKey: this.signing.current.verifierKey, previousVerifierKeys: this.signing.trustedKeys.slice(1), logs: await this.reader.logs() };
  }

  @Get(':logId/checkpoint')
  @READ
  @ApiOperation({ summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note) of a log' })
  @ApiParam({ name: 'logId', example: 'audit.events.v1-0' })
  @ApiOkResponse({ description: '{ logId, treeSize, rootHash (base64), note, createdAt }' })
  checkpoint(@Param('logId') logId: string) {
    return answer(() => this.reader.latestCheckpoint(logId));
  }

  @Get(':logId/entries/:seq')
  @READ
  @ApiOperation({ summary: 'One entry by sequence number: its leaf bytes (base64), leaf hash and source' })
  @ApiOkResponse({ description: '{ logId, seq, leafHash, entry, arrivedAt, sourceOffset, eventId }' })
  entry(@Param('logId') logId: string, @Param('seq') seq: string) {
    return answer(() => this.reader.entry(logId, integer('seq', seq)!));
  }

  @Get(':logId/proofs/inclusion')
  @READ
  @ApiOperation({ summary: 'Inclusion proof (RFC 9162 §2.1.3) of a leaf, by index or leaf hash, for a tree size (default: the latest)' })
  @ApiQuery({ name: 'index', required: false })
  @ApiQuery({ name: 'leafHash', required: false, description: 'base64 or hex of the 32-byte leaf hash' })
  @ApiQuery({ name: 'treeSize', required: false })
  @ApiOkResponse({ description: '{ index, treeSize, rootHash, proof: [base64 hashes, nearest the leaf first] }' })
  inclusion(@Param('logId') logId: string, @Query('index') index?: string, @Query('leafHash') leafHash?: string, @Query('treeSize') treeSize?: string) {
    return answer(async () => {
      if ((index === undefined) === (leafHash === undefined)) throw new LogQueryError(400, 'give exactly one of index and leafHash');
      const size = await this.reader.treeSize(logId, integer('treeSize', treeSize));
      const at = index !== undefined ? integer('index', index)! : await this.reader.seqOfLeafHash(logId, hash32('leafHash', leafHash!));
      return this.reader.inclusion(logId, at, size);
    });
  }

  @Get(':logId/proofs/consistency')
  @READ
  @ApiOperation({ summary: 'Consistency proof (RFC 9162 §2.1.4) between two tree sizes; from must be at least 1' })
  @ApiQuery({ name: 'from' })
  @ApiQuery({ name: 'to', required: false })
  @ApiOkResponse({ description: '{ from, to, proof: [base64 hashes] }' })
  consistency(@Param('logId') logId: string, @Query('from') from?: string, @Query('to') to?: string) {
    return answer(async () => {
      const size = await this.reader.treeSize(logId, integer('to', to));
      return this.reader.consistency(logId, integer('from', from ?? '')!, size);
    });
  }

  @Get(':logId/export')
  @RequirePermission('audit:export', { resource: (req) => `audit-log:${req.params['logId']}` })
  @ApiOperation({ summary: 'A bundle (JSON lines) of entries from..to with their checkpoints, verifiable offline with "vigil audit verify --bundle"' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiProduces('application/x-ndjson')
  async export(@Param('logId') logId: string, @Res() res: Response, @Query('from') from?: string, @Query('to') to?: string) {
    const range = await answer(async () => ({ from: integer('from', from), to: integer('to', to), log: await this.reader.log(logId) }));
    res.status(200).type('application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="${range.log.logId}.audit.jsonl"`);
    await writeBundle(this.pool, { logId, from: range.from, to: range.to, verifierKey: this.signing.current.verifierKey }, (line) =>
      res.write(line) ? undefined : new Promise<void>((resolve) => res.once('drain', () => resolve())),
    );
    res.end();
  }
}

async function answer<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LogQueryError) throw error.status === 404 ? new NotFoundException(error.message) : new BadRequestException(error.message);
    if (error instanceof HttpException) throw error;
    throw error;
  }
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new LogQueryError(400, `${name} must be a non-negative integer`);
  return Number(value);
}

function hash32(name: string, value: string): Buffer {
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length !== 32) throw new LogQueryError(400, `${name} must be 32 bytes, as base64 or hex`);
  return bytes;
}
