// One Kafka 4.1 node (KRaft, broker + controller) run straight from the Maven Central
// jars: resolve them once into deploy/kafka/.cache/lib, format the data dir once, start
// kafka.Kafka detached, and call it ready only when it answers a metadata request.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  InfraError,
  isAlive,
  isPortOpen,
  livePid,
  portOwner,
  repoRoot,
  seconds,
  spawnDetached,
  stateDir,
  stopPid,
  tail,
  waitFor,
} from './proc.mjs';

export const KAFKA_PORT = 9092;
export const CONTROLLER_PORT = 9094;
export const KAFKA_BROKERS = `127.0.0.1:${KAFKA_PORT}`;
const NODE_ID = '1';

const deployDir = path.join(repoRoot, 'deploy/kafka');
const libDir = path.join(deployDir, '.cache/lib');
const stampFile = path.join(libDir, '.resolved-from');

export function kafkaPaths() {
  const dataDir = process.env.VIGIL_KAFKA_DATA_DIR ? path.resolve(process.env.VIGIL_KAFKA_DATA_DIR) : path.join(stateDir, 'kafka');
  const logDir = path.join(dataDir, 'logs');
  return {
    dataDir,
    logDir,
    storeDir: path.join(dataDir, 'data'),
    config: path.join(dataDir, 'server.properties'),
    pidFile: path.join(dataDir, 'kafka.pid'),
    clusterIdFile: path.join(dataDir, 'cluster-id'),
    consoleLog: path.join(logDir, 'console.log'),
    serverLog: path.join(logDir, 'server.log'),
  };
}

const resetHint = 'To start over with an empty broker: npm run infra -- reset';

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
}

function jvmArgs(paths) {
  const heap = (process.env.VIGIL_KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean);
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${paths.logDir}`,
    `-Dlog4j2.configurationFile=${path.join(deployDir, 'log4j2.yaml')}`,
    '-cp',
    `${libDir}/*`,
  ];
}

/** The jar cache is fresh when it was resolved from the pom.xml as it is now. */
function pomDigest() {
  return createHash('sha256').update(fs.readFileSync(path.join(deployDir, 'pom.xml'))).digest('hex');
}

export function jarsCached() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === pomDigest() && fs.readdirSync(libDir).some((f) => f.startsWith('kafka_2.13-'));
  } catch {
    return false;
  }
}

/** Resolves the broker's jars from Maven Central unless the cache is fresh. Returns ms spent, 0 if cached. */
function resolveJars() {
  if (jarsCached()) return 0;
  const started = Date.now();
  const staging = `${libDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  console.log('kafka: resolving kafka_2.13 and its dependencies from Maven Central (first start only)...');
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', path.join(deployDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (mvn.error?.code === 'ENOENT') throw new InfraError('kafka: `mvn` is not installed (Apache Maven is needed to fetch the broker jars): apt-get install -y maven');
  if (mvn.status !== 0) {
    throw new InfraError(`kafka: resolving the broker jars failed (mvn exit ${mvn.status}):\n${(mvn.stdout + mvn.stderr).trim().split('\n').slice(-25).join('\n')}`);
  }
  // Swap the whole directory so a half-finished download never looks like a cache.
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.renameSync(staging, libDir);
  fs.writeFileSync(stampFile, `${pomDigest()}\n`);
  return Date.now() - started;
}

function renderConfig(paths) {
  const template = fs.readFileSync(path.join(deployDir, 'server.properties'), 'utf8');
  fs.mkdirSync(paths.logDir, { recursive: true });
  fs.writeFileSync(paths.config, template.replaceAll('{{LOG_DIRS}}', paths.storeDir));
}

function readProperties(file) {
  const props = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([^#=\s][^=]*)=(.*)$/.exec(line);
    if (match) props[match[1].trim()] = match[2].trim();
  }
  return props;
}

// Kafka's own Uuid.randomUuid() avoids ids that begin with '-' (they read as an option).
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Formats the data dir unless it already is, and checks an existing one belongs to us.
 * Returns ms spent formatting, 0 if it was already formatted.
 */
function ensureFormatted(paths) {
  const metaFile = path.join(paths.storeDir, 'meta.properties');
  const savedId = fs.existsSync(paths.clusterIdFile) ? fs.readFileSync(paths.clusterIdFile, 'utf8').trim() : undefined;
  if (fs.existsSync(metaFile)) {
    const meta = readProperties(metaFile);
    if (!savedId || meta['cluster.id'] !== savedId || meta['node.id'] !== NODE_ID) {
      throw new InfraError(
        `kafka: stale data dir ${paths.storeDir}: its meta.properties says cluster.id=${meta['cluster.id']} node.id=${meta['node.id']}, ` +
          `but this setup expects cluster.id=${savedId ?? '(none saved)'} node.id=${NODE_ID}. ` +
          `It was formatted by another Kafka setup.\n${resetHint}`,
      );
    }
    return 0;
  }
  if (fs.existsSync(paths.storeDir) && fs.readdirSync(paths.storeDir).length > 0) {
    throw new InfraError(`kafka: stale data dir ${paths.storeDir}: it holds files but no meta.properties (an interrupted format or another tool's data).\n${resetHint}`);
  }
  const started = Date.now();
  const clusterId = savedId ?? newClusterId();
  fs.writeFileSync(paths.clusterIdFile, `${clusterId}\n`);
  const format = spawnSync(javaBin(), [...jvmArgs(paths), 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', paths.config], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (format.error?.code === 'ENOENT') throw new InfraError('kafka: `java` is not installed (Java 17+ runs the broker): apt-get install -y openjdk-17-jre-headless');
  if (format.status !== 0) {
    throw new InfraError(`kafka: formatting ${paths.storeDir} failed (exit ${format.status}):\n${(format.stdout + format.stderr).trim()}\n${resetHint}`);
  }
  return Date.now() - started;
}

/** Asks the broker for cluster metadata; resolves to {clusterId, brokers} or throws. */
export async function kafkaMetadata(brokers = KAFKA_BROKERS, timeoutMs = 3000) {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'vigil-infra', bootstrapBrokers: [brokers], retries: 0, timeout: timeoutMs, connectTimeout: timeoutMs });
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    return { clusterId: metadata.id, brokers: [...metadata.brokers.keys()] };
  } finally {
    await admin.close().catch(() => {});
  }
}

function savedClusterId(paths) {
  try {
    return fs.readFileSync(paths.clusterIdFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

// Known causes in the broker's log, turned into what to do about them.
function diagnose(log) {
  if (/Invalid cluster\.id|Cluster ID mismatch|clusterId .* doesn't match|No `meta\.properties` found|is not formatted/i.test(log)) {
    return `The data dir does not match this broker's configuration (stale or foreign data).\n${resetHint}`;
  }
  if (/Address already in use/i.test(log)) return `A port the broker needs (${KAFKA_PORT} or ${CONTROLLER_PORT}) is in use by another process.`;
  if (/UnsupportedClassVersionError/.test(log)) return 'The java on PATH is too old: Kafka 4.1 needs Java 17 or newer (set JAVA_HOME).';
  if (/OutOfMemoryError|Could not reserve enough space/i.test(log)) return 'The JVM ran out of memory; set VIGIL_KAFKA_HEAP_OPTS (default "-Xms256m -Xmx512m").';
  return undefined;
}

function failureReport(paths, headline) {
  const serverLog = tail(paths.serverLog, 25);
  const consoleLog = tail(paths.consoleLog, 15);
  const hint = diagnose(`${serverLog}\n${consoleLog}`);
  return `${headline}\n--- ${paths.serverLog} (tail)\n${serverLog}\n--- ${paths.consoleLog} (tail)\n${consoleLog}${hint ? `\n${hint}` : ''}`;
}

export async function kafkaStatus() {
  const paths = kafkaPaths();
  const pid = livePid(paths.pidFile, paths.config);
  let metadata;
  try {
    metadata = await kafkaMetadata(KAFKA_BROKERS, 2000);
  } catch {
    metadata = undefined;
  }
  const ours = metadata && metadata.clusterId === savedClusterId(paths);
  return { pid, metadata, ours, paths };
}

async function assertPortsFree(paths) {
  for (const port of [KAFKA_PORT, CONTROLLER_PORT]) {
    if (await isPortOpen(port)) {
      const owner = portOwner(port);
      throw new InfraError(
        `kafka: port ${port} on 127.0.0.1 is already in use by ${owner?.describe ?? 'another process (ss could not name it)'}, ` +
          `not by the broker of ${paths.dataDir}. Stop that process (if it is a Vigil broker with another data dir: ` +
          `VIGIL_KAFKA_DATA_DIR=<that dir> npm run infra -- stop) and run npm run infra -- up again.`,
      );
    }
  }
}

/**
 * Starts the broker unless ours already answers; waits until it serves metadata.
 * Returns {reused, timings} where timings are ms per phase.
 */
export async function kafkaUp({ timeoutMs = 120_000 } = {}) {
  const paths = kafkaPaths();
  const started = Date.now();
  const pid = livePid(paths.pidFile, paths.config);

  // A healthy broker on our port that another checkout (or data dir) started: use it
  // rather than fail, as every client only needs 127.0.0.1:9092 to answer. It is not ours
  // to stop, and its data dir is not ours to check.
  if (!pid) {
    const foreign = await kafkaMetadata(KAFKA_BROKERS, 2000).catch(() => undefined);
    if (foreign?.brokers.length) {
      return {
        reused: true,
        foreign: true,
        pid: portOwner(KAFKA_PORT)?.pid ?? '?',
        clusterId: foreign.clusterId,
        paths,
        timings: { jarsMs: 0, formatMs: 0, brokerMs: 0, totalMs: Date.now() - started },
      };
    }
  }

  const jarsMs = resolveJars();
  let formatMs = 0;
  let brokerPid = pid;
  if (!brokerPid) {
    renderConfig(paths);
    // The data dir first: a stale one is the likelier and more actionable problem.
    formatMs = ensureFormatted(paths);
    await assertPortsFree(paths);
    fs.mkdirSync(paths.logDir, { recursive: true });
    fs.appendFileSync(paths.consoleLog, `\n--- start ${new Date().toISOString()}\n`);
    brokerPid = spawnDetached(javaBin(), [...jvmArgs(paths), 'kafka.Kafka', paths.config], {
      cwd: paths.dataDir,
      env: process.env,
      logFile: paths.consoleLog,
      pidFile: paths.pidFile,
    });
  }

  const brokerStarted = Date.now();
  const expectedId = savedClusterId(paths);
  const ready = await waitFor(
    async () => {
      const metadata = await kafkaMetadata(KAFKA_BROKERS, 2000);
      return metadata.brokers.includes(Number(NODE_ID)) ? metadata : undefined;
    },
    { timeoutMs, intervalMs: 300, abort: () => (isAlive(brokerPid) ? undefined : `the broker process (pid ${brokerPid}) exited`) },
  );
  if (!ready.ok) {
    throw new InfraError(failureReport(paths, `kafka: broker on ${KAFKA_BROKERS} did not become ready: ${ready.reason}${ready.lastError ? ` (last error: ${ready.lastError.message})` : ''}.`));
  }
  if (ready.result.clusterId !== expectedId) {
    throw new InfraError(`kafka: the broker on ${KAFKA_BROKERS} reports cluster ${ready.result.clusterId}, but ${paths.clusterIdFile} says ${expectedId}.\n${resetHint}`);
  }
  return {
    reused: Boolean(pid),
    foreign: false,
    pid: brokerPid,
    clusterId: ready.result.clusterId,
    paths,
    timings: { jarsMs, formatMs, brokerMs: Date.now() - brokerStarted, totalMs: Date.now() - started },
  };
}

export async function kafkaDown({ timeoutMs = 60_000 } = {}) {
  const paths = kafkaPaths();
  const pid = livePid(paths.pidFile, paths.config);
  if (!pid) {
    fs.rmSync(paths.pidFile, { force: true });
    return (await isPortOpen(KAFKA_PORT)) ? `not started from ${paths.dataDir}; the broker on ${KAFKA_BROKERS} was left running` : 'not running';
  }
  const result = await stopPid(pid, { name: 'kafka', timeoutMs });
  fs.rmSync(paths.pidFile, { force: true });
  return result;
}

/** Stops the broker and deletes its data dir (topics, offsets, cluster id). Keeps the jar cache. */
export async function kafkaReset() {
  const stopped = await kafkaDown();
  const paths = kafkaPaths();
  // A broker of this data dir whose pid file was lost: wiping under it would corrupt it.
  const running = await kafkaMetadata(KAFKA_BROKERS, 2000).catch(() => undefined);
  if (running && running.clusterId === savedClusterId(paths)) {
    const owner = portOwner(KAFKA_PORT);
    throw new InfraError(`kafka: a broker is still serving ${paths.dataDir} (${owner?.describe ?? 'pid unknown'}) without a pid file; stop it (kill <pid>) before reset.`);
  }
  fs.rmSync(paths.dataDir, { recursive: true, force: true });
  return { stopped, wiped: paths.dataDir };
}

export function describeTimings(t, foreign = false) {
  if (foreign) return `${seconds(t.totalMs)} (started elsewhere, not from this data dir: \`npm run infra -- stop\` here will not stop it)`;
  const parts = [t.jarsMs ? `jars resolved ${seconds(t.jarsMs)}` : 'jars cached', t.formatMs ? `formatted ${seconds(t.formatMs)}` : 'already formatted', `broker ready ${seconds(t.brokerMs)}`];
  return `${seconds(t.totalMs)} (${parts.join(', ')})`;
}
