import { baseServiceConfig } from '@vigil/config';
import type { z } from 'zod';

/**
 * The auth-gateway's environment: the variables every service reads (see @vigil/config) with
 * its own port as the default. Its own variables join with `.extend({ ... })`.
 */
export const authGatewayConfig = baseServiceConfig('auth-gateway', 8080);

export type AuthGatewayConfig = z.output<typeof authGatewayConfig>;
