import { describe, expect, it } from 'vitest';
import { GATEWAY_NO_CONTEXT, isGatewayNotFound } from '../../src/sources/gatewayAnswer';

describe('isGatewayNotFound', () => {
  it.each([
    ['the Gravitee message as text', GATEWAY_NO_CONTEXT],
    ['the Gravitee message as JSON', JSON.stringify({ message: GATEWAY_NO_CONTEXT, http_status_code: 404 })],
    ['an HTML page', '<html><body>404 Not Found</body></html>'],
    ['an empty body', ''],
    ['a bare JSON string', '"not found"'],
  ])('takes %s for the gateway', (_name, body) => {
    expect(isGatewayNotFound(body)).toBe(true);
  });

  it.each([
    ['a JSON error of the API', JSON.stringify({ error: 'person not found' })],
    ['a JSON message of the API', JSON.stringify({ message: 'Fant ikke person' })],
    ['an empty JSON object', '{}'],
  ])('takes %s for the source', (_name, body) => {
    expect(isGatewayNotFound(body)).toBe(false);
  });
});
