import { RuleBook, RuleFileError } from '../config/rule-book';
import { writeScenario } from '../simulation/write-scenario';

const USAGE = 'usage: vigil simulate --minutes <n> --seed <s> [--out <dir>] [--rules <file>]';

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
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (arg === '--minutes') minutes = Number(args.shift());
    else if (arg === '--seed') seed = Number(args.shift());
    else if (arg === '--out') out = args.shift();
    else if (arg === '--rules') rules = args.shift();
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(`vigil simulate: unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
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
