/** A log per source partition: `<base topic>-<partition>` (audit.checkpoints' logId pattern). */
export function logIdOf(baseTopic: string, partition: number): string {
  return `${baseTopic}-${partition}`;
}

/** The checkpoint origin line of a log: `<originPrefix><logId>`, e.g. `vigil.audit/audit.events.v1-3`. */
export function originOf(originPrefix: string, logId: string): string {
  return `${originPrefix}${logId}`;
}

export const DEFAULT_ORIGIN_PREFIX = 'vigil.audit/';
