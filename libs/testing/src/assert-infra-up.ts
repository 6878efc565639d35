import { infraEnv, type InfraEnv } from './infra-env';
import { ALL_SERVERS, probeInfra, type InfraServer, type ProbeResult } from './infra-probe';

export class InfraDownError extends Error {
  constructor(
    message: string,
    readonly down: ProbeResult[],
  ) {
    super(message);
    this.name = 'InfraDownError';
  }
}

/** The message for the servers that did not answer, or undefined when all did. */
export function describeDown(results: readonly ProbeResult[]): string | undefined {
  const down = results.filter((r) => !r.ok);
  if (down.length === 0) return undefined;
  const lines = down.map((r) => `  ${r.server} at ${r.endpoint}: ${r.detail}`);
  return [
    `Integration tests need the local servers, and ${down.map((r) => r.server).join(', ')} did not answer:`,
    ...lines,
    'Start them with: npm run infra -- up   (npm test does this for you; check with: npm run infra -- status)',
  ].join('\n');
}

/**
 * Fails fast, naming every server that is down and how to start it, instead of letting
 * each test time out. Call it in beforeAll; it returns the endpoints to use.
 */
export async function assertInfraUp(options: { infra?: InfraEnv; servers?: readonly InfraServer[] } = {}): Promise<InfraEnv> {
  const infra = options.infra ?? infraEnv();
  const results = await probeInfra(infra, options.servers ?? ALL_SERVERS);
  const message = describeDown(results);
  if (message) throw new InfraDownError(message, results.filter((r) => !r.ok));
  return infra;
}
