import type { FastifyInstance } from 'fastify';
import { appCss } from '../web/appCss';
import { appJs } from '../web/appJs';
import { auditJs } from '../web/auditJs';
import { indexHtml } from '../web/indexHtml';
import { roomsJs } from '../web/roomsJs';
import { safetyJs } from '../web/safetyJs';

/** The admin web page: five static assets, no data in them (the page asks the API with the token). */
export function webRoutes(app: FastifyInstance): void {
  const assets: [string, string, string][] = [
    ['/', 'text/html; charset=utf-8', indexHtml],
    ['/app.js', 'text/javascript; charset=utf-8', appJs],
    ['/app.css', 'text/css; charset=utf-8', appCss],
    ['/safety.js', 'text/javascript; charset=utf-8', safetyJs],
    ['/audit.js', 'text/javascript; charset=utf-8', auditJs],
    ['/rooms.js', 'text/javascript; charset=utf-8', roomsJs],
  ];
  for (const [url, type, body] of assets) {
    app.get(url, async (_req, reply) =>
      reply
        .header('content-type', type)
        .header('cache-control', 'no-cache')
        // Only the page's own script and style may run; it talks only to this server.
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
            "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        )
        .send(body),
    );
  }
}
