#!/usr/bin/env node
// `npm start`: all of Vigil on this machine.
//   1. the infrastructure: `npm run infra -- up` (Postgres and Redis checked, Kafka, registry);
//   2. build every project (`nx run-many -t build`);
//   3. migrations: each app that has a `migrations/` folder (see runMigrations);
//   4. the six services as child processes, their logs prefixed on this terminal and
//      kept whole (JSON) in .vigil/services/<service>.log;
//   5. waits until every /readyz answers 200 (each service has created its Kafka topics
//      by then), starts Prometheus and Alertmanager when their Debian binaries are there
//      (scripts/lib/monitoring.mjs), then prints where everything is.
// Ctrl-C or SIGTERM: the services get SIGTERM and are waited for, then the Kafka node and
// registry are stopped if this run started them. A service that never becomes ready, or
// exits, stops everything with exit code 1 and its last log lines.
// Options: --skip-build, --no-registry (passed to infra up), --ready-timeout=<seconds> (default 60).
// VIGIL_DEMO_FEED=false: no demo market from the compliance-detector (a platform sends real orders).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { KAFKA_BROKERS, KAFKA_PORT, kafkaDown } from './lib/kafka.mjs';
import { isPortOpen, repoRoot, seconds, sleep, stateDir } from './lib/proc.mjs';
import { devKeyEnv } from './lib/dev-keys.mjs';
import { startMonitoring, stopMonitoring } from './lib/monitoring.mjs';
import { REGISTRY_PORT, REGISTRY_URL, registryDown } from './lib/registry.mjs';

const SERVICES = [
  { name: 'auth-gateway', port: 8080 },
  { name: 'vault', port: 8101 },
  { name: 'compliance-detector', port: 8102 },
  { name: 'alerter', port: 8103 },
  { name: 'audit-writer', port: 8104 },
  { name: 'reporter', port: 8105 },
];
// A service gets VIGIL_SHUTDOWN_TIMEOUT (30 s by default) to stop; then SIGKILL.
const STOP_TIMEOUT_MS = 35_000;
const LOG_LINES_KEPT = 25;
// Nest's start-up inventory (modules loaded, routes mapped): in the log files, not on the terminal.
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const infraArgs = args.includes('--no-registry') ? ['--no-registry'] : [];
const readyTimeoutArg = args.find((a) => a.startsWith('--ready-timeout='));
const READY_TIMEOUT_MS = readyTimeoutArg ? Number(readyTimeoutArg.split('=')[1]) * 1000 : 60_000;
if (!(READY_TIMEOUT_MS > 0)) {
  console.error(`npm start: ${readyTimeoutArg} is not a number of seconds (e.g. --ready-timeout=120)`);
  process.exit(2);
}

const binDir = path.join(repoRoot, 'node_modules/.bin');
// The services need Node 24 (require of ES modules); npm scripts put it first on PATH.
const NODE = fs.existsSync(path.join(binDir, 'node')) ? path.join(binDir, 'node') : process.execPath;
const baseEnv = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
const logDir = path.join(stateDir, 'services');
const colors = process.stdout.isTTY ? [36, 32, 35, 33, 34, 91] : [];
const httpHost = process.env.VIGIL_HTTP_HOST || '127.0.0.1';
const reachableHost = ['0.0.0.0', '::'].includes(httpHost) ? '127.0.0.1' : httpHost.includes(':') ? `[${httpHost}]` : httpHost;

class StartError extends Error {}

let stopSignal; // set by the first SIGINT/SIGTERM
let wakeOnStop = () => undefined;
const stopRequested = new Promise((resolve) => (wakeOnStop = resolve));
let currentStep; // the child of a build step, stopped on a signal
const running = []; // started services
let monitoring = { started: [], summary: [] }; // Prometheus and Alertmanager, when installed

function onSignal(signal) {
  if (stopSignal) {
    console.error(`\n${signal} again: killing the services now`);
    for (const svc of running) if (svc.exitCode === null) svc.child.kill('SIGKILL');
    process.exit(1);
  }
  stopSignal = signal;
  console.log(`\n${signal}: stopping Vigil (again to force)`);
  currentStep?.kill('SIGTERM');
  wakeOnStop();
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

function prefix(name, index) {
  const label = name.padEnd(19);
  return colors.length ? `\x1b[${colors[index % colors.length]}m${label}\x1b[0m |` : `${label} |`;
}

// One pino JSON line as a short human line; anything else as it is. Undefined: not shown.
function humanLine(line) {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== 'object' || record === null || typeof record.msg !== 'string') return line;
  const { time, level, msg, context, err, service: _s, pid: _p, hostname: _h, ...rest } = record;
  if (level === 'info' && QUIET_CONTEXTS.has(context)) return undefined;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  const stack = err?.stack && ['error', 'fatal'].includes(level) ? `\n${err.stack}` : '';
  return `${clock} ${String(level).toUpperCase().padEnd(5)} ${context ? `[${context}] ` : ''}${msg}${extra}${stack}`;
}

// Runs one step to completion with its output prefixed; rejects if it fails or a stop is requested.
function step(name, command, commandArgs, env = baseEnv) {
  if (stopSignal) return Promise.reject(new StartError(`interrupted before ${name}`));
  console.log(`${prefix(name, 0)} ${[path.relative(repoRoot, command) || command, ...commandArgs].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    currentStep = child;
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => console.log(`${prefix(name, 0)} ${line}`));
    }
    child.on('error', (err) => reject(new StartError(`${name}: could not run ${command}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      currentStep = undefined;
      if (stopSignal) reject(new StartError(`interrupted during ${name}`));
      else if (code === 0) resolve();
      else reject(new StartError(`${name} failed (${signal ?? `exit code ${code}`}); its output is above`));
    });
  });
}

// The registry's Confluent-compatible API, as docker-compose gives it to the services:
// produced events are Avro and every /readyz checks the registry. A URL set in the shell
// wins; with --no-registry and none set, events are JSON.
const registryUrl = process.env.VIGIL_SCHEMA_REGISTRY_URL || (infraArgs.includes('--no-registry') ? undefined : `${REGISTRY_URL}/apis/ccompat/v7`);

// The vault's master key, the gateway's seed key and the audit log's signing key for the
// local stack: made once under .vigil/keys unless the environment names its own.
const devKeys = devKeyEnv(path.join(stateDir, 'keys'));

function serviceEnv(svc) {
  // Each service gets its own port and client id, whatever the shell has set for them.
  const env = { ...baseEnv, ...devKeys, VIGIL_HTTP_PORT: String(svc.port) };
  delete env.VIGIL_KAFKA_CLIENT_ID;
  if (registryUrl) env.VIGIL_SCHEMA_REGISTRY_URL = registryUrl;
  // The demo feed: with no trading platform sending orders (VIGIL_DEMO_FEED=false says one does),
  // the detector publishes a simulated market itself, so alerts show within a minute.
  if (svc.name === 'compliance-detector' && env.VIGIL_DETECTOR_DEMO_FEED === undefined) env.VIGIL_DETECTOR_DEMO_FEED = String(!/^(false|0|no|off)$/i.test(process.env.VIGIL_DEMO_FEED ?? ''));
  return env;
}

// Migrations: an app that keeps tables has apps/<service>/migrations/ (libs/database's
// forward-only SQL files). Services that ship src/migrate.ts (built to
// dist/apps/<service>/src/migrate.js) have them applied here, before any service starts;
// the others apply their own at start-up, under the same advisory lock.
async function runMigrations() {
  for (const svc of SERVICES) {
    if (!fs.existsSync(path.join(repoRoot, 'apps', svc.name, 'migrations'))) continue;
    const script = path.join(repoRoot, 'dist/apps', svc.name, 'src/migrate.js');
    if (!fs.existsSync(script)) continue;
    await step(`${svc.name} migrate`, NODE, [script], serviceEnv(svc));
  }
}

// The six services' accounts (client credentials for the gateway's token endpoint): created once,
// each new secret written to .vigil/keys/service-accounts/<service>.json (0600); reruns keep them.
async function ensureServiceAccounts() {
  const script = path.join(repoRoot, 'dist/apps/auth-gateway/src/cli/service-accounts.js');
  if (!fs.existsSync(script)) return;
  const gateway = SERVICES.find((svc) => svc.name === 'auth-gateway');
  await step('service accounts', NODE, [script, '--dir', path.join(stateDir, 'keys', 'service-accounts')], serviceEnv(gateway));
}

function startService(svc, index) {
  const main = path.join(repoRoot, 'dist/apps', svc.name, 'src/main.js');
  if (!fs.existsSync(main)) throw new StartError(`${path.relative(repoRoot, main)} is missing: build first (npx nx run-many -t build)`);
  const logFile = path.join(logDir, `${svc.name}.log`);
  const log = fs.createWriteStream(logFile, { flags: 'w' });
  // Detached: a Ctrl-C on the terminal reaches this script only, which stops the services in order.
  const child = spawn(NODE, [main], { cwd: repoRoot, env: serviceEnv(svc), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const state = { ...svc, url: `http://${reachableHost}:${svc.port}`, child, logFile, lines: [], exitCode: null, lastReadyz: 'not asked yet' };
  state.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      state.exitCode = code ?? 128;
      state.exitSignal = signal;
      log.end();
      resolve(state);
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      const shown = humanLine(line);
      if (shown === undefined) return;
      state.lines.push(...shown.split('\n'));
      state.lines.splice(0, Math.max(0, state.lines.length - LOG_LINES_KEPT));
      for (const part of shown.split('\n')) console.log(`${prefix(svc.name, index)} ${part}`);
    });
  }
  running.push(state);
  return state;
}

function describeExit(svc) {
  return svc.exitSignal ? `was killed by ${svc.exitSignal}` : `exited with code ${svc.exitCode}`;
}

function lastLines(svc) {
  const lines = svc.lines.length ? svc.lines : ['(no output)'];
  return [`last lines of ${svc.name} (whole log: ${path.relative(repoRoot, svc.logFile)}):`, ...lines.map((l) => `  ${l}`)].join('\n');
}

// "HTTP 503, failing: kafka (Cannot connect ...)" from a /readyz answer.
function describeReadyz(status, text) {
  try {
    const body = JSON.parse(text);
    const failing = Object.entries(body.checks ?? {}).filter(([, check]) => check.status !== 'ok');
    if (!failing.length) return `HTTP ${status} ${body.status}`;
    return `HTTP ${status}, failing: ${failing.map(([name, check]) => `${name} (${check.error ?? check.status})`).join('; ')}`;
  } catch {
    return `HTTP ${status} ${text.slice(0, 200)}`;
  }
}

async function waitUntilReady(svc, deadline) {
  for (;;) {
    if (stopSignal) throw new StartError('interrupted while the services were starting');
    if (svc.exitCode !== null) throw new StartError(`${svc.name} ${describeExit(svc)} before it was ready.\n${lastLines(svc)}`);
    try {
      const res = await fetch(`${svc.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      svc.lastReadyz = describeReadyz(res.status, await res.text());
      if (res.ok) return;
    } catch (err) {
      svc.lastReadyz = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) {
      throw new StartError(`${svc.name} was not ready within ${seconds(READY_TIMEOUT_MS)}; its last /readyz: ${svc.lastReadyz}\n${lastLines(svc)}`);
    }
    await Promise.race([sleep(500), stopRequested]);
  }
}

function printWhereEverythingIs(tookMs) {
  const rows = [
    ['service', 'URL', 'docs', 'metrics'],
    ...running.map((s) => [s.name, s.url, `${s.url}/docs`, `${s.url}/metrics`]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd();
  const infra = [
    ['Kafka', KAFKA_BROKERS],
    ['Schema registry', registryUrl ? `${registryUrl} (VIGIL_SCHEMA_REGISTRY_URL; events are Avro)` : 'not used (events are JSON)'],
    ['Postgres', process.env.VIGIL_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vigil'],
    ['Redis', process.env.VIGIL_REDIS_URL || 'redis://127.0.0.1:6379'],
    ...monitoring.summary,
  ];
  console.log(
    [
      '',
      `Vigil is up (${seconds(tookMs)}): every /readyz answers 200.`,
      '',
      line(rows[0]),
      ...rows.slice(1).map(line),
      '',
      ...infra.map(([name, where]) => `  ${name.padEnd(widths[0])}  ${where}`),
      '',
      `Logs (JSON): ${path.relative(repoRoot, logDir)}/<service>.log. Ctrl-C stops everything.`,
      '',
    ].join('\n'),
  );
}

async function stopServices() {
  const alive = running.filter((s) => s.exitCode === null);
  if (!alive.length) return true;
  console.log(`stopping ${alive.map((s) => s.name).join(', ')}`);
  for (const svc of alive) svc.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const svc of alive.filter((s) => s.exitCode === null)) {
      console.error(`${svc.name} did not stop within ${seconds(STOP_TIMEOUT_MS)}: SIGKILL`);
      svc.child.kill('SIGKILL');
    }
  }, STOP_TIMEOUT_MS);
  await Promise.all(alive.map((s) => s.exited));
  clearTimeout(timer);
  const failed = alive.filter((s) => s.exitCode !== 0);
  for (const svc of failed) console.error(`${svc.name} ${describeExit(svc)} while stopping`);
  return failed.length === 0;
}

// Only what this run started: a broker or registry that was already up (another shell,
// a test run) is left alone.
async function stopInfra(wasUp) {
  if (!wasUp.registry && !infraArgs.includes('--no-registry')) console.log(`registry: ${await registryDown()}`);
  if (!wasUp.kafka) console.log(`kafka: ${await kafkaDown()}`);
}

async function main() {
  const started = Date.now();
  const wasUp = { kafka: await isPortOpen(KAFKA_PORT), registry: await isPortOpen(REGISTRY_PORT) };
  let exitCode = 0;
  try {
    await step('infra', NODE, [path.join(repoRoot, 'scripts/infra.mjs'), 'up', ...infraArgs]);
    if (!skipBuild) await step('build', NODE, [path.join(repoRoot, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build']);
    await runMigrations();
    await ensureServiceAccounts();

    fs.mkdirSync(logDir, { recursive: true });
    SERVICES.forEach(startService);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const ready = new Set();
    await Promise.all(running.map((svc) => waitUntilReady(svc, deadline).then(() => ready.add(svc)))).catch((err) => {
      const others = running.filter((svc) => !ready.has(svc) && svc.exitCode === null && !err.message.startsWith(`${svc.name} `));
      if (!others.length || stopSignal) throw err;
      const states = others.map((svc) => `  ${svc.name}: ${svc.lastReadyz.slice(0, 240)}`);
      throw new StartError(`${err.message}\nnot ready either, at their last /readyz:\n${states.join('\n')}`);
    });
    monitoring = await startMonitoring(SERVICES);
    printWhereEverythingIs(Date.now() - started);

    const reason = await Promise.race([stopRequested, ...running.map((s) => s.exited)]);
    if (reason && typeof reason === 'object') {
      console.error(`\n${reason.name} ${describeExit(reason)}; stopping Vigil.\n${lastLines(reason)}`);
      exitCode = 1;
    }
  } catch (err) {
    console.error(`\nnpm start: ${err instanceof StartError ? err.message : err.stack}`);
    exitCode = 1;
  } finally {
    await stopMonitoring(monitoring.started);
    if (!(await stopServices())) exitCode = 1;
    await stopInfra(wasUp).catch((err) => {
      console.error(`stopping the infrastructure failed: ${err.message}; try npm run infra -- down`);
      exitCode = 1;
    });
  }
  process.exit(exitCode);
}

await main();
