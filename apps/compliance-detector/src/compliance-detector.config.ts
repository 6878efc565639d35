import { baseServiceConfig, env } from '@vigil/config';
import { z } from 'zod';

/**
 * The compliance-detector's environment: the variables every service reads (see @vigil/config)
 * with its own port as the default, and its own (README.md "Environment").
 */
export const complianceDetectorConfig = baseServiceConfig('compliance-detector', 8102).extend({
  // The rule file (YAML or JSON); unset: the shipped rules/default-rules.yaml.
  VIGIL_DETECTOR_RULES_FILE: env.string('a path to a rule file (YAML or JSON)').optional(),
  // Prefix of every Redis key of the detector; replay and tests use their own so they never share state.
  VIGIL_DETECTOR_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/, 'at most 64 of A-Z a-z 0-9 : . _ - (e.g. "vigil:det:")')
    .default('vigil:det:'),
  // An instrument's state expires after this long without events.
  VIGIL_DETECTOR_STATE_TTL: env.duration().default(7 * 24 * 3_600_000),
  VIGIL_DETECTOR_MAX_BATCH_MESSAGES: env.int({ min: 1, max: 5000 }).default(500),
  // An instrument no event reached for this long (wall time) has its event time moved on by the
  // wall clock, so windows that close by time passing (spoofing's cancel + 2 s, a wash-trade
  // bucket, the close) are judged without a next event. 0 turns the idle flush off.
  VIGIL_DETECTOR_IDLE_FLUSH_AFTER: env.duration().default(2_000),
  // Most instruments whose state is held in memory between batches (Redis keeps all of them).
  VIGIL_DETECTOR_HELD_INSTRUMENTS: env.int({ min: 1, max: 1_000_000 }).default(10_000),
  // The rules API checks the gateway's tokens: its issuer, this service's audience, the gateway's JWKS.
  VIGIL_DETECTOR_AUTH_ISSUER: env.string().default('vigil-auth-gateway'),
  VIGIL_DETECTOR_AUTH_AUDIENCE: env.string().default('compliance-detector'),
  VIGIL_DETECTOR_AUTH_JWKS_URL: env.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8080/.well-known/jwks.json'),
  // The demo feed: the detector publishes a simulated market on market.orders.v1 (npm start turns it on).
  VIGIL_DETECTOR_DEMO_FEED: env.boolean().default(false),
  VIGIL_DETECTOR_DEMO_SEED: env.int({ min: 0, max: 4_294_967_295 }).default(1),
});

export type ComplianceDetectorConfig = z.output<typeof complianceDetectorConfig>;
