// Apicurio Registry 3.3 from its Maven Central distribution, storing schemas in the
// local Postgres (database `apicurio`), serving the Confluent-compatible API that
// libs/kafka's Avro codec talks to.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InfraError, isAlive, isPortOpen, livePid, portOwner, repoRoot, seconds, spawnDetached, stateDir, stopPid, tail, waitFor } from './proc.mjs';

export const REGISTRY_PORT = 8081;
// Quarkus serves health and metrics on a separate management port.
export const REGISTRY_MANAGEMENT_PORT = 8091;
export const REGISTRY_URL = `http://127.0.0.1:${REGISTRY_PORT}`;
const SUBJECTS_URL = `${REGISTRY_URL}/apis/ccompat/v7/subjects`;
const MIN_JAVA = 21; // apicurio-registry-app 3.3 is compiled for Java 21 (class file 65)

const deployDir = path.join(repoRoot, 'deploy/registry');
const appDir = path.join(deployDir, '.cache/app');
const stampFile = path.join(appDir, '.resolved-from');
const runDir = path.join(stateDir, 'registry');
const pidFile = path.join(runDir, 'registry.pid');
const logDir = path.join(runDir, 'logs');
const consoleLog = path.join(logDir, 'console.log');
const registryLog = path.join(logDir, 'registry.log');
const marker = path.join(appDir, 'quarkus-run.jar');

function pomDigest() {
  return createHash('sha256').update(fs.readFileSync(path.join(deployDir, 'pom.xml'))).digest('hex');
}

export function registryCached() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === pomDigest() && fs.existsSync(path.join(appDir, 'quarkus-run.jar'));
  } catch {
    return false;
  }
}

function fetchApp() {
  if (registryCached()) return 0;
  const started = Date.now();
  const staging = `${appDir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  console.log('registry: fetching apicurio-registry-app (tar.gz, ~150 MB) from Maven Central (first start only)...');
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', path.join(deployDir, 'pom.xml'), 'dependency:unpack', `-Dregistry.unpack.dir=${staging}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (mvn.error?.code === 'ENOENT') throw new InfraError('registry: `mvn` is not installed (Apache Maven fetches the registry): apt-get install -y maven');
  if (mvn.status !== 0 || !fs.existsSync(path.join(staging, 'quarkus-run.jar'))) {
    throw new InfraError(`registry: fetching the registry failed (mvn exit ${mvn.status}):\n${(mvn.stdout + mvn.stderr).trim().split('\n').slice(-25).join('\n')}`);
  }
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.renameSync(staging, appDir);
  fs.writeFileSync(stampFile, `${pomDigest()}\n`);
  return Date.now() - started;
}

function javaMajor(home) {
  try {
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const version = /JAVA_VERSION="([^"]+)"/.exec(release)?.[1];
    return version ? Number.parseInt(version.startsWith('1.') ? version.split('.')[1] : version, 10) : undefined;
  } catch {
    return undefined;
  }
}

/** A Java 21+ for the registry: VIGIL_REGISTRY_JAVA_HOME, else JAVA_HOME, else the newest under /usr/lib/jvm. */
export function registryJava() {
  const candidates = [process.env.VIGIL_REGISTRY_JAVA_HOME, process.env.JAVA_HOME].filter(Boolean);
  try {
    const homes = fs.readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d));
    candidates.push(...homes.sort((a, b) => (javaMajor(b) ?? 0) - (javaMajor(a) ?? 0)));
  } catch {
    // no /usr/lib/jvm
  }
  for (const home of candidates) {
    const major = javaMajor(home);
    if (major >= MIN_JAVA && fs.existsSync(path.join(home, 'bin/java'))) return { home, major, java: path.join(home, 'bin/java') };
  }
  throw new InfraError(
    `registry: Apicurio Registry 3.3 needs Java ${MIN_JAVA} or newer and none was found (looked at VIGIL_REGISTRY_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*). ` +
      'Install one (e.g. a Temurin 21/25 JDK) and point VIGIL_REGISTRY_JAVA_HOME at it.',
  );
}

function registryArgs() {
  const props = {
    'quarkus.http.host': '127.0.0.1',
    'quarkus.http.port': REGISTRY_PORT,
    'quarkus.management.host': '127.0.0.1',
    'quarkus.management.port': REGISTRY_MANAGEMENT_PORT,
    'quarkus.http.access-log.enabled': 'false',
    'quarkus.log.console.level': 'WARN',
    'quarkus.log.file.enabled': 'true',
    'quarkus.log.file.path': registryLog,
    'quarkus.log.file.rotation.max-file-size': '20M',
    'quarkus.log.file.rotation.max-backup-index': '3',
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'postgresql',
    'apicurio.datasource.url': process.env.VIGIL_REGISTRY_JDBC_URL ?? 'jdbc:postgresql://127.0.0.1:5432/apicurio',
    'apicurio.datasource.username': process.env.VIGIL_REGISTRY_DB_USER ?? 'postgres',
    // Local Postgres uses trust auth; the driver still wants a value.
    'apicurio.datasource.password': process.env.VIGIL_REGISTRY_DB_PASSWORD ?? 'postgres',
    // Defaults are 20..100 connections: far more than one developer machine needs.
    'apicurio.datasource.jdbc.initial-size': 2,
    'apicurio.datasource.jdbc.min-size': 2,
    'apicurio.datasource.jdbc.max-size': 10,
    // Tests delete the subjects they registered.
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    'apicurio.rest.deletion.group.enabled': 'true',
    'apicurio.storage.snapshot.location': path.join(runDir, 'tmp'),
    'apicurio.import.work-dir': path.join(runDir, 'tmp'),
  };
  const heap = (process.env.VIGIL_REGISTRY_HEAP_OPTS ?? '-Xms128m -Xmx512m').split(/\s+/).filter(Boolean);
  // C1 only: the registry is a low-traffic lookup service here, startup CPU matters more.
  return [...heap, '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), '-jar', path.join(appDir, 'quarkus-run.jar')];
}

export async function registryAnswers() {
  try {
    const res = await fetch(SUBJECTS_URL, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return false;
    return Array.isArray(await res.json());
  } catch {
    return false;
  }
}

export async function registryStatus() {
  return { pid: livePid(pidFile, marker), answers: await registryAnswers() };
}

function failureReport(headline) {
  const log = tail(registryLog, 25);
  const consoleText = tail(consoleLog, 20);
  let hint = '';
  if (/password authentication failed|Connection to .* refused|database "apicurio" does not exist/i.test(`${log}\n${consoleText}`)) {
    hint = '\nThe registry cannot use Postgres database `apicurio` on 127.0.0.1:5432; `npm run infra -- up` creates it when Postgres answers.';
  } else if (/Port .* seems to be in use|Address already in use/i.test(`${log}\n${consoleText}`)) {
    hint = `\nPort ${REGISTRY_PORT} or ${REGISTRY_MANAGEMENT_PORT} is taken by another process.`;
  }
  return `${headline}\n--- ${registryLog} (tail)\n${log}\n--- ${consoleLog} (tail)\n${consoleText}${hint}`;
}

/** Starts the registry unless ours already answers; waits until its ccompat API answers. */
export async function registryUp({ timeoutMs = 180_000 } = {}) {
  const started = Date.now();
  const pid = livePid(pidFile, marker);
  // A registry another checkout started answers just as well; it is not ours to stop.
  if (!pid && (await registryAnswers())) {
    const timings = { fetchMs: 0, appMs: 0, totalMs: Date.now() - started };
    return { reused: true, foreign: true, pid: portOwner(REGISTRY_PORT)?.pid ?? '?', logFile: '(not ours)', timings, describe: `${seconds(timings.totalMs)} (started elsewhere: \`npm run infra -- stop\` here will not stop it)` };
  }
  if (!pid) {
    for (const port of [REGISTRY_PORT, REGISTRY_MANAGEMENT_PORT]) {
      if (await isPortOpen(port)) {
        const owner = portOwner(port);
        throw new InfraError(
          `registry: port ${port} on 127.0.0.1 is already in use by ${owner?.describe ?? 'another process (ss could not name it)'}, not by the registry of ${runDir}. ` +
            'Stop that process and run npm run infra -- up again.',
        );
      }
    }
  }
  const fetchMs = fetchApp();
  let registryPid = pid;
  if (!registryPid) {
    const { java } = registryJava();
    fs.mkdirSync(path.join(runDir, 'tmp'), { recursive: true });
    fs.mkdirSync(logDir, { recursive: true });
    fs.appendFileSync(consoleLog, `\n--- start ${new Date().toISOString()}\n`);
    registryPid = spawnDetached(java, registryArgs(), { cwd: runDir, env: process.env, logFile: consoleLog, pidFile });
  }
  const appStarted = Date.now();
  const ready = await waitFor(registryAnswers, {
    timeoutMs,
    intervalMs: 500,
    abort: () => (isAlive(registryPid) ? undefined : `the registry process (pid ${registryPid}) exited`),
  });
  if (!ready.ok) throw new InfraError(failureReport(`registry: ${SUBJECTS_URL} did not answer: ${ready.reason}.`));
  const timings = { fetchMs, appMs: Date.now() - appStarted, totalMs: Date.now() - started };
  const describe = `${seconds(timings.totalMs)} (${fetchMs ? `fetched ${seconds(fetchMs)}` : 'app cached'}, registry ready ${seconds(timings.appMs)})`;
  return { reused: Boolean(pid), foreign: false, pid: registryPid, logFile: registryLog, timings, describe };
}

export async function registryDown({ timeoutMs = 30_000 } = {}) {
  const pid = livePid(pidFile, marker);
  if (!pid) {
    fs.rmSync(pidFile, { force: true });
    return (await isPortOpen(REGISTRY_PORT)) ? `not started from this checkout; the registry on ${REGISTRY_URL} was left running` : 'not running';
  }
  const result = await stopPid(pid, { name: 'registry', timeoutMs });
  fs.rmSync(pidFile, { force: true });
  return result;
}
