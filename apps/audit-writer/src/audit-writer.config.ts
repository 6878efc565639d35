import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The audit-writer's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const auditWriterConfig = baseServiceConfig('audit-writer', 8104);

export type AuditWriterConfig = z.output<typeof auditWriterConfig>;
