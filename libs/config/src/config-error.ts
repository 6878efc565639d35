/** One environment variable that failed validation. */
export interface ConfigProblem {
  /** The environment variable's name, e.g. `VIGIL_HTTP_PORT`. */
  readonly variable: string;
  /** What a valid value looks like, e.g. `a TCP port number (0-65535)`. */
  readonly expected: string;
  /** The kind of value found, never a secret's value. */
  readonly received: string;
}

/** Thrown by loadConfig with every bad variable at once, so one restart fixes them all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(renderProblems(problems));
  }
}

function renderProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 environment variable' : `${problems.length} environment variables`;
  const lines = problems.map((p) => `  - ${p.variable}: expected ${p.expected}; received ${p.received}`);
  return [`Invalid configuration: ${count} to fix`, ...lines, 'Fix or unset them (unset uses the default, if there is one) and start again.'].join('\n');
}
