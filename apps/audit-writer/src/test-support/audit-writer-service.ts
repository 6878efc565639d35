import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { infraEnv, serviceEnv } from '@vigil/testing';
import { AppModule } from '../app.module';
import { auditWriterConfig } from '../audit-writer.config';

/** The audit-writer in-process on a free port, its topics under `prefix`, silent, with these variables on top. */
export function startAuditWriter(prefix: string, env: Record<string, string | undefined>): Promise<RunningService> {
  const config = loadConfig(auditWriterConfig, { ...process.env, ...serviceEnv(infraEnv(), prefix), VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent', ...env });
  return startService({ name: 'audit-writer', module: AppModule, config, logger: createLogger('audit-writer-test', 'silent') });
}

/** Polls `probe` until it returns a value (not undefined), or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
