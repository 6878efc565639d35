#!/usr/bin/env node
// `npm test`: the whole suite on this machine.
//   0. kcat and promtool if missing (scripts/install-test-tools.sh);
//   1. the local infrastructure (npm run infra -- up) unless it already answers;
//   2. typecheck + lint of every project (nx);
//   3. unit tests (jest.unit.config.cjs);
//   4. integration tests against the real servers (jest.integration.config.cjs), every
//      service logger also writing to .vigil/test-results/leak-scan/logs at debug and the
//      tests registering the secrets they make (VIGIL_TEST_LOG_DIR, VIGIL_TEST_SECRETS_FILE);
//   5. the leak scan (scripts/scan-test-leaks.mjs): no registered secret in those logs or in
//      any Kafka message of the run, raw or base64/base64url/hex;
//   6. stops the Kafka node / registry if this run started them (also on failure or Ctrl-C).
// --integration-only runs 1, 4, 5 and 6.
// Every step runs even if an earlier one failed (except integration tests without
// infrastructure), so one run shows all problems; the exit code is non-zero if any failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KAFKA_BROKERS, kafkaDown, kafkaStatus } from './lib/kafka.mjs';
import { leakScanPaths, prepareLeakScan } from './lib/leak-scan.mjs';
import { redisAnswers, postgresAnswers } from './lib/local-servers.mjs';
import { repoRoot, seconds, stateDir } from './lib/proc.mjs';
import { registryDown, registryStatus } from './lib/registry.mjs';

const integrationOnly = process.argv.includes('--integration-only');
const resultsDir = path.join(stateDir, 'test-results');
const binDir = path.join(repoRoot, 'node_modules/.bin');
const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}` };

const steps = [];
let current; // the running child, to pass Ctrl-C on to
let interrupted = false;
let startedByUs = { kafka: false, registry: false };

function run(name, command, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
    current = spawn(command, args, { cwd: repoRoot, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    current.on('error', (err) => {
      console.error(`${name}: could not run ${command}: ${err.message}`);
    });
    current.on('close', (code, signal) => {
      current = undefined;
      const ok = code === 0;
      steps.push({ name, ok, ms: Date.now() - started, detail: ok ? '' : signal ? `killed by ${signal}` : `exit ${code}` });
      resolve(ok);
    });
  });
}

function skip(name, why) {
  steps.push({ name, ok: false, ms: 0, detail: `not run: ${why}` });
}

async function infraAnswers() {
  const [pg, redis, kafka, registry] = await Promise.all([postgresAnswers(), redisAnswers(), kafkaStatus(), registryStatus()]);
  return { all: Boolean(pg && redis && kafka.metadata && registry.answers), kafka: Boolean(kafka.metadata), registry: registry.answers };
}

async function ensureInfra() {
  const before = await infraAnswers();
  if (before.all) {
    console.log('=== infra: already up (Postgres, Redis, Kafka, registry); this run will leave it running');
    steps.push({ name: 'infra', ok: true, ms: 0, detail: 'reused' });
    return true;
  }
  const ok = await run('infra', process.execPath, [path.join(repoRoot, 'scripts/infra.mjs'), 'up']);
  startedByUs = { kafka: !before.kafka, registry: !before.registry };
  return ok;
}

async function stopWhatWeStarted() {
  const stopping = Object.entries(startedByUs).filter(([, started]) => started);
  startedByUs = { kafka: false, registry: false };
  if (stopping.length === 0) return;
  console.log(`\n=== infra: stopping what this run started (${stopping.map(([name]) => name).join(', ')})`);
  try {
    if (stopping.some(([name]) => name === 'registry')) console.log(`registry: ${await registryDown()}`);
    if (stopping.some(([name]) => name === 'kafka')) console.log(`kafka: ${await kafkaDown()}`);
  } catch (err) {
    console.error(`infra: stopping failed: ${err.message}`);
  }
}

function jestCounts(file) {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  } catch {
    return undefined;
  }
}

function jest(name, config, file, extraEnv) {
  fs.rmSync(file, { force: true });
  return run(name, 'jest', ['-c', config, '--json', `--outputFile=${file}`], extraEnv);
}

async function main() {
  const started = Date.now();
  fs.mkdirSync(resultsDir, { recursive: true });
  const unitFile = path.join(resultsDir, 'unit.json');
  const integrationFile = path.join(resultsDir, 'integration.json');

  // kcat and promtool (the outside tools the integration tests use), installed if missing.
  if (!(await run('test tools', 'bash', [path.join(repoRoot, 'scripts/install-test-tools.sh')]))) {
    console.error('test: the integration tests that need kcat or promtool will fail (see above)');
  }
  const infraOk = await ensureInfra();
  if (!interrupted && !integrationOnly) await run('typecheck+lint', 'nx', ['run-many', '-t', 'typecheck', 'lint', '--outputStyle=static']);
  if (!interrupted && !integrationOnly) await jest('unit tests', 'jest.unit.config.cjs', unitFile);
  if (!interrupted) {
    if (infraOk) {
      await jest('integration tests', 'jest.integration.config.cjs', integrationFile, prepareLeakScan(KAFKA_BROKERS));
      // Even after failed tests: what the passing ones logged and produced is still checked.
      if (!interrupted) await run('leak scan', process.execPath, [path.join(repoRoot, 'scripts/scan-test-leaks.mjs'), '--baseline', leakScanPaths.baseline]);
    } else {
      skip('integration tests', 'the infrastructure did not come up (see above)');
    }
  }
  await stopWhatWeStarted();
  if (interrupted) skip('the rest', 'interrupted');

  console.log('\n=== summary');
  for (const step of steps) console.log(`${step.ok ? 'ok  ' : 'FAIL'}  ${step.name.padEnd(18)} ${step.ms ? seconds(step.ms) : ''} ${step.detail}`.trimEnd());
  const counts = [integrationOnly ? undefined : jestCounts(unitFile), jestCounts(integrationFile)].filter(Boolean);
  const total = counts.reduce((sum, c) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed, skipped: sum.skipped + c.skipped }), { passed: 0, failed: 0, skipped: 0 });
  const failedSteps = steps.filter((s) => !s.ok);
  console.log(`(${seconds(Date.now() - started)}${failedSteps.length ? `; failed steps: ${failedSteps.map((s) => s.name).join(', ')}` : ''})`);
  // The closing line CI reads: tests counted by Jest over both suites.
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exitCode = failedSteps.length > 0 || total.failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\ntest: ${signal}; stopping the current step, then what this run started`);
    current?.kill(signal);
  });
}

main().catch(async (err) => {
  console.error(err);
  await stopWhatWeStarted();
  process.exitCode = 1;
});
