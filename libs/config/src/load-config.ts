import { z } from 'zod';
import { ConfigError, ConfigProblem } from './config-error';
import { describeReceived } from './describe-value';

type Env = Record<string, string | undefined>;

/**
 * Validates the environment against a z.object whose keys are variable names and
 * returns the typed values, frozen. An empty variable counts as unset (so its default
 * applies), which is what `FOO=` in a compose file or shell usually means. On failure
 * it throws one ConfigError naming every bad variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, source: Env = process.env): Readonly<z.output<S>> {
  const input: Env = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(problemsOf(result.error, input));
  return Object.freeze(result.data);
}

function problemsOf(error: z.ZodError, input: Env): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(configuration)';
    // A pipeline can report twice for one variable; the first issue says what is wrong.
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, expected: expectedOf(issue.message), received: describeReceived(variable, input[variable]) });
  }
  return problems;
}

// Our env.* schemas phrase messages as what is expected; zod's own messages read
// "Invalid input: expected number, received string", so keep only the middle part.
function expectedOf(message: string): string {
  const zodStyle = /^Invalid [^:]*: expected (.*?)(?:, received .*)?$/.exec(message);
  return zodStyle ? zodStyle[1] : message;
}
