import { classifyHttpStatus, classifyNetworkError, retryAfterMs } from './classify.ts';

/**
 * One request to a provider's HTTP API, with a timeout; a non-2xx answer becomes a classified
 * DeliveryFailure (429 and 5xx transient, other 4xx permanent), a network error a transient one.
 */
export async function providerRequest<T>(provider: string, url: string, init: RequestInit & { timeoutMs: number }): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
  } catch (error) {
    throw classifyNetworkError(provider, error);
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    throw classifyNetworkError(provider, error);
  }
  if (!response.ok) throw classifyHttpStatus(provider, response.status, body, retryAfterMs(response.headers.get('retry-after'), Date.now()));
  try {
    return JSON.parse(body) as T;
  } catch {
    throw classifyHttpStatus(provider, 502, `not JSON: ${body}`, null);
  }
}
