import type { AuditEvent } from '@vigil/contracts';

/**
 * Where the guard records each decision (an audit.events.v1 event). The promise must
 * settle once the event is safely handed on (e.g. accepted by the Kafka producer); if it
 * rejects or throws, the guard refuses the request with 503: no action without its
 * audit record (fail closed).
 */
export interface AuditSink {
  record(event: AuditEvent): Promise<void> | void;
}
