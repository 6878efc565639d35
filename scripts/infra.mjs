#!/usr/bin/env node
// Vigil's local infrastructure without Docker: `npm run infra -- <command>`.
//   up            Postgres + Redis checked (started if installed but down), Kafka, registry.
//                 Idempotent: whatever already runs healthy is reused.
//   down | stop   stops the Kafka node and the registry this script started.
//   status        what answers where.
//   reset         stop, then wipe the Kafka data dir (topics, offsets, cluster id).
// Options: --no-registry (up: Kafka, Postgres, Redis only).
// State (pids, logs, data) lives under <repo>/.vigil/.
import fs from 'node:fs';
import path from 'node:path';
import { KAFKA_BROKERS, describeTimings, kafkaDown, kafkaReset, kafkaStatus, kafkaUp } from './lib/kafka.mjs';
import { POSTGRES_ADMIN_URL, REDIS_URL, postgresAnswers, postgresUp, redisAnswers, redisUp } from './lib/local-servers.mjs';
import { InfraError, isAlive, readPid, seconds, sleep, stateDir } from './lib/proc.mjs';
import { REGISTRY_URL, registryDown, registryStatus, registryUp } from './lib/registry.mjs';

const lockDir = path.join(stateDir, 'infra.lock');

// Several shells (developers, test runs) may call `infra up` at once; one at a time.
async function withLock(fn) {
  fs.mkdirSync(stateDir, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = readPid(path.join(lockDir, 'pid'));
      if (holder && !isAlive(holder)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new InfraError(`infra: ${lockDir} is held by pid ${holder} for 10 minutes; is another infra command stuck?`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

async function up(options) {
  const pg = await postgresUp();
  console.log(`postgres: ${pg.started ? 'started' : 'up'} (${pg.version}) at ${POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, '')}${pg.created.length ? `; created database ${pg.created.join(', ')}` : ''}`);
  const redis = await redisUp();
  console.log(`redis: ${redis.started ? 'started' : 'up'} (${redis.version}) at ${REDIS_URL}`);

  const kafka = await kafkaUp();
  console.log(`kafka: ${kafka.reused ? 'already running' : 'started'} (pid ${kafka.pid}, cluster ${kafka.clusterId}) at ${KAFKA_BROKERS}; ${kafka.reused ? 'answered in' : 'ready in'} ${describeTimings(kafka.timings, kafka.foreign)}`);
  if (!kafka.foreign) console.log(`kafka: data ${kafka.paths.storeDir}, logs ${kafka.paths.logDir}`);
  recordTiming('kafka', kafka);

  if (options.registry) {
    const registry = await registryUp();
    console.log(`registry: ${registry.reused ? 'already running' : 'started'} (pid ${registry.pid}) at ${REGISTRY_URL} (ccompat: ${REGISTRY_URL}/apis/ccompat/v7); ${registry.reused ? 'answered in' : 'ready in'} ${registry.describe}`);
    if (!registry.foreign) console.log(`registry: logs ${registry.logFile}`);
    recordTiming('registry', registry);
  }
}

// Start times accumulate in .vigil/start-times.log so cold and warm starts can be compared.
function recordTiming(name, result) {
  if (result.reused) return;
  const line = JSON.stringify({ at: new Date().toISOString(), name, ...result.timings });
  fs.appendFileSync(path.join(stateDir, 'start-times.log'), `${line}\n`);
}

async function down() {
  const registry = await registryDown();
  console.log(`registry: ${registry}`);
  const kafka = await kafkaDown();
  console.log(`kafka: ${kafka}`);
}

async function status() {
  const [pg, redis, kafka, registry] = await Promise.all([postgresAnswers(), redisAnswers(), kafkaStatus(), registryStatus()]);
  const line = (name, ok, text) => console.log(`${ok ? 'up  ' : 'DOWN'}  ${name.padEnd(9)} ${text}`);
  line('postgres', pg, `${POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, '')}${pg ? ` (${pg})` : ''}`);
  line('redis', redis, `${REDIS_URL}${redis ? ` (${redis})` : ''}`);
  const kafkaText = kafka.metadata
    ? `${KAFKA_BROKERS} cluster ${kafka.metadata.clusterId}${kafka.ours ? ` (ours, pid ${kafka.pid ?? '?'}, data ${kafka.paths.dataDir})` : ' (NOT started from this data dir)'}`
    : `${KAFKA_BROKERS}${kafka.pid ? ` (pid ${kafka.pid} alive but not answering; logs ${kafka.paths.logDir})` : ''}`;
  line('kafka', kafka.metadata, kafkaText);
  line('registry', registry.answers, `${REGISTRY_URL}${registry.pid ? ` (pid ${registry.pid})` : ''}`);
  return Boolean(pg && redis && kafka.metadata && registry.answers);
}

async function main() {
  const [command = 'status', ...rest] = process.argv.slice(2);
  const options = { registry: !rest.includes('--no-registry') };
  const started = Date.now();
  switch (command) {
    case 'up':
    case 'start':
      await withLock(() => up(options));
      console.log(`infra: up in ${seconds(Date.now() - started)}`);
      break;
    case 'down':
    case 'stop':
      await withLock(down);
      break;
    case 'status':
      if (!(await status())) process.exitCode = 1;
      break;
    case 'reset': {
      await withLock(async () => {
        await registryDown();
        const result = await kafkaReset();
        console.log(`kafka: ${result.stopped}; wiped ${result.wiped}`);
      });
      break;
    }
    default:
      console.error(`infra: unknown command "${command}". Use: up | down | stop | status | reset`);
      process.exitCode = 2;
  }
}

main().catch((err) => {
  console.error(err instanceof InfraError ? err.message : err);
  process.exitCode = 1;
});
