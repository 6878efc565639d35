import type { OwningService } from './mitigation-actions';

export interface MitigationCall {
  ok: boolean;
  /** The owning service's HTTP status; absent when it could not be reached. */
  status?: number;
  /** Its JSON answer (never a secret: the gateway and the vault answer counts and versions). */
  body?: unknown;
  /** One line naming the service and what went wrong, when !ok. */
  error?: string;
}

/**
 * POSTs to the owning service with the caller's own bearer token: the service checks the
 * person's roles and step-up itself and audits the person, so the alerter holds no power of
 * its own over accounts or keys (see README, "Mitigation actions").
 */
export async function callOwningService(
  service: OwningService,
  baseUrl: string,
  path: string,
  authorization: string,
  timeoutMs: number,
  traceId?: string,
  method: 'GET' | 'POST' = 'POST',
): Promise<MitigationCall> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization, accept: 'application/json', ...(traceId ? { 'x-request-id': traceId } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable: ${causeOf(error as Error)}`;
    return { ok: false, error: `${service} ${reason}` };
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text.slice(0, 200);
  }
  if (response.ok) return { ok: true, status: response.status, body };
  const message = typeof body === 'object' && body !== null ? ((body as { message?: unknown }).message ?? (body as { error?: unknown }).error) : body;
  return { ok: false, status: response.status, body, error: `${service} answered ${response.status}${message ? `: ${String(message).slice(0, 300)}` : ''}` };
}

function causeOf(error: Error): string {
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
