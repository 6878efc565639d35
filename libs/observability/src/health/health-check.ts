/** One dependency a service needs to do its work. `check` resolves when healthy and throws, saying why, when not. */
export interface HealthCheck {
  /** The dependency's name as /readyz shows it: 'postgres', 'redis', 'kafka'. */
  readonly name: string;
  check(): Promise<void>;
}

export interface CheckOutcome {
  readonly status: 'ok' | 'failing';
  /** Why it failed: a message without secrets (URL passwords masked). */
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckOutcome>>;
}

/** Options shared by the ready-made checks. */
export interface CheckOptions {
  /** Shown in /readyz; defaults to the dependency's name. */
  name?: string;
  /** How long one check may take before it counts as failing (default 2000 ms). */
  timeoutMs?: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;
