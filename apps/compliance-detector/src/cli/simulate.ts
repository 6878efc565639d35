import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleBook, RuleFileError } from '../config/rule-book';
import { GOLDEN_CASES } from '../simulation/golden/golden-cases';
import { writeScenario } from '../simulation/write-scenario';

const USAGE = `usage: vigil simulate --minutes <n> --seed <s> [--out <dir>] [--rules <file>]
       vigil simulate --golden <${Object.keys(GOLDEN_CASES).join('|')}> [--out <dir>]`;

/** Writes a golden case: its events, the rule file to replay it with (its tick sizes), what it must raise. */
function writeGolden(name: string, out: string | undefined): number {
  const build = GOLDEN_CASES[name];
  if (!build) {
    process.stderr.write(`vigil simulate: no golden case "${name}" (cases: ${Object.keys(GOLDEN_CASES).join(', ')})\n`);
    return 2;
  }
  const golden = build();
  const dir = out ?? `golden-${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'events.ndjson'), `${golden.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  writeFileSync(join(dir, 'rules.json'), `${JSON.stringify(golden.book.file, null, 2)}\n`);
  writeFileSync(join(dir, 'case.json'), `${JSON.stringify({ name, description: golden.description, accountId: golden.accountId, expectedTypes: golden.expectedTypes, orders: golden.orders }, null, 2)}\n`);
  process.stderr.write(`vigil simulate: golden case ${name}: ${golden.events.length} events in ${dir}/ (replay: vigil replay ${dir}/events.ndjson --rules ${dir}/rules.json)\n`);
  return 0;
}

/**
 * `vigil simulate`: writes a deterministic simulated market with labelled manipulation
 * episodes and decoys (events.ndjson + labels.json) for `vigil replay` and the accuracy tests.
 */
async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let minutes: number | undefined;
  let seed: number | undefined;
  let out: string | undefined;
  let rules: string | undefined;
  let golden: string | undefined;
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === '--minutes') minutes = Number(args.shift());
    else if (arg === '--seed') seed = Number(args.shift());
    else if (arg === '--out') out = args.shift();
    else if (arg === '--rules') rules = args.shift();
    else if (arg === '--golden') golden = args.shift() ?? '';
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(`vigil simulate: unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
  if (golden !== undefined) return writeGolden(golden, out);
  if (minutes === undefined || !Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
    process.stderr.write(`vigil simulate: --minutes must be a number of minutes in (0, 1440]\n${USAGE}\n`);
    return 2;
  }
  if (seed === undefined || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    process.stderr.write(`vigil simulate: --seed must be an integer in [0, 4294967295]\n${USAGE}\n`);
    return 2;
  }
  let book: RuleBook;
  try {
    book = RuleBook.load(rules);
  } catch (error) {
    process.stderr.write(`vigil simulate: ${error instanceof RuleFileError ? error.message : String(error)}\n`);
    return 2;
  }
  const dir = out ?? `simulation-s${seed}-m${minutes}`;
  const files = await writeScenario({ seed, minutes, dir, book });
  const manipulations = files.summary.episodes.filter((e) => e.kind === 'MANIPULATION').length;
  const decoys = files.summary.episodes.length - manipulations;
  process.stderr.write(
    `vigil simulate: ${files.summary.events} events from ${files.summary.start} to ${files.summary.end}, ` +
      `${manipulations} manipulation episodes and ${decoys} decoys\n  ${files.events}\n  ${files.labels}\n`,
  );
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`vigil simulate: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
