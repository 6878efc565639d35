import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The vault's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const vaultConfig = baseServiceConfig('vault', 8101);

export type VaultConfig = z.output<typeof vaultConfig>;
