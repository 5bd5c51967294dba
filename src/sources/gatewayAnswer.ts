/**
 * Whether a 404 is the API gateway's own answer rather than the source's (fs.md, tp.md). A gateway
 * answers 404 itself when an API is undeployed or misrouted: taking that as "person gone" or "no
 * timetable" would empty calendars during gateway maintenance. Pure.
 */

/** What a Gravitee gateway says when no API is deployed at the requested path. */
export const GATEWAY_NO_CONTEXT = 'No context-path matches the request URI.';

/** True when a 404 body is the gateway's: not JSON, or the gateway's message as text or as JSON `message`. */
export function isGatewayNotFound(body: string): boolean {
  if (body.includes(GATEWAY_NO_CONTEXT)) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return true;
  }
  // A bare string, number or null is not a source's answer either.
  if (parsed === null || typeof parsed !== 'object') return true;
  const message = (parsed as { message?: unknown }).message;
  return typeof message === 'string' && message.trim() === GATEWAY_NO_CONTEXT;
}
