#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ (*.ts through @swc-node/register,
// *.mjs as is), one after the other, each writing bench/results/<name>.json
// (gitignored). Benchmarks need the local infrastructure: npm run infra -- up.
// `npm run bench -- kafka` runs only the benchmarks whose file name contains "kafka".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(repoRoot, 'bench');
const resultsDir = path.join(benchDir, 'results');
const node = path.join(repoRoot, 'node_modules/.bin/node');
const filters = process.argv.slice(2);

const benches = fs
  .readdirSync(benchDir)
  .filter((file) => /\.(ts|mjs)$/.test(file) && !file.endsWith('.d.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (benches.length === 0) {
  console.error(`bench: no benchmark in ${path.relative(repoRoot, benchDir)}/ matches ${filters.join(', ') || '*'}`);
  process.exit(1);
}

fs.mkdirSync(resultsDir, { recursive: true });
const outcomes = [];
for (const file of benches) {
  const name = file.replace(/\.(ts|mjs)$/, '');
  const resultFile = path.join(resultsDir, `${name}.json`);
  const args = file.endsWith('.ts') ? ['-r', '@swc-node/register', path.join(benchDir, file)] : [path.join(benchDir, file)];
  console.log(`\n=== bench ${name}: node ${args.map((a) => path.relative(repoRoot, a) || a).join(' ')}`);
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(node, args, {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
    });
    child.on('error', (error) => {
      console.error(`bench ${name}: could not start: ${error.message}`);
      resolve(1);
    });
    child.on('close', (exitCode, signal) => resolve(signal ? 1 : exitCode));
  });
  const written = fs.existsSync(resultFile) && fs.statSync(resultFile).mtimeMs >= started;
  outcomes.push({ name, ok: code === 0 && written, seconds: Math.round((Date.now() - started) / 100) / 10, result: written ? path.relative(repoRoot, resultFile) : '-' });
}

console.log('\n=== bench summary');
for (const { name, ok, seconds, result } of outcomes) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s) ${result}`);
process.exit(outcomes.every((outcome) => outcome.ok) ? 0 : 1);
