export interface PolicyIssue {
  /** Where in the file, dotted: `roles.sre.inherits.0`. */
  path: string;
  message: string;
}

/** A policy file that cannot be used; the message lists every problem with its path. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly source: string,
    readonly issues: readonly PolicyIssue[],
  ) {
    super(`RBAC policy ${source} is invalid; fix it and restart:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}
