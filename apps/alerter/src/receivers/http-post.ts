import type { DeliveryResult } from './receiver';

/**
 * POSTs and classifies the answer the same way for every receiver: 2xx delivered; 429, 5xx,
 * a timeout or a network error retried; any other status (400 above all) failed for good,
 * since sending the same request again cannot fix it.
 */
export async function httpPost(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<DeliveryResult> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    return { outcome: 'retry', detail: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${(error as Error).message}` };
  }
  const text = (await response.text().catch(() => '')).slice(0, 200);
  const statusCode = response.status;
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, detail: `HTTP ${statusCode}` };
  const retry = statusCode === 429 || statusCode >= 500;
  return { outcome: retry ? 'retry' : 'failed', statusCode, detail: `HTTP ${statusCode}${text ? `: ${text}` : ''}` };
}
