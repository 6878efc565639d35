/**
 * Readiness checks for /readyz, shaped like libs/observability's HealthCheck
 * (`{ name, check(): Promise<void> }`, rejecting when not ready). Equivalent:
 * observability's `kafkaHealthCheck(() => admin.ping(timeoutMs))`.
 */
export interface KafkaHealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Ready when a broker answers a metadata request in time. */
export function kafkaBrokerCheck(admin: { ping(timeoutMs: number): Promise<void> }, timeoutMs = 2_000): KafkaHealthCheck {
  return { name: 'kafka', check: () => admin.ping(timeoutMs) };
}

/**
 * Ready when the schema registry lists its subjects in time. Only services that produce
 * or consume Avro (a registry URL is configured) should register it.
 */
export function schemaRegistryCheck(registryUrl: string, timeoutMs = 2_000): KafkaHealthCheck {
  const url = `${registryUrl.replace(/\/+$/, '')}/subjects`;
  return {
    name: 'schema-registry',
    async check() {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
        throw new Error(`schema registry at ${registryUrl} did not answer within ${timeoutMs} ms: ${(error as Error).message}`);
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`schema registry at ${registryUrl} answered HTTP ${response.status} to GET /subjects`);
    },
  };
}
