import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The alerter's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const alerterConfig = baseServiceConfig('alerter', 8103);

export type AlerterConfig = z.output<typeof alerterConfig>;
