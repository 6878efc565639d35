import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The compliance-detector's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const complianceDetectorConfig = baseServiceConfig('compliance-detector', 8102);

export type ComplianceDetectorConfig = z.output<typeof complianceDetectorConfig>;
