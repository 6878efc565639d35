import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The reporter's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const reporterConfig = baseServiceConfig('reporter', 8105);

export type ReporterConfig = z.output<typeof reporterConfig>;
