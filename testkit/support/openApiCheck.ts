import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * Checks answers against an OpenAPI 3.1 document: the operation is found by method and path (the
 * document's path templates, so routes added later are checked as soon as they are documented),
 * the status must be one the operation lists (or its `4XX`/`default`), and a JSON body must match
 * the response schema (JSON Schema 2020-12, `$ref`s into the document resolved by ajv).
 */

type Doc = { paths: Record<string, Record<string, Operation>> };
type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };

/** A path segment of the document: `{name}` is one segment of anything, the rest is literal. */
const segmentPattern = (segment: string) =>
  /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { path: string; pattern: RegExp }[];
  /** Answers checked, and what was wrong with them. */
  checked = 0;
  problems: string[] = [];

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi.json');
    this.templates = Object.keys(doc.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.split('/').map(segmentPattern).join('/')}$`),
    }));
  }

  /** The documented path a request path falls under; null: not a documented route (fastify's 404s, the web page). */
  pathOf(url: string): string | null {
    const path = url.split('?')[0] ?? '';
    return this.templates.find((t) => t.pattern.test(path))?.path ?? null;
  }

  /** Checks one answer; returns its problem (also kept in `problems`), or null. */
  check(a: Answer): string | null {
    const path = this.pathOf(a.url);
    if (!path) return null;
    this.checked++;
    const problem = this.problemOf(path, a);
    if (problem)
      this.problems.push(`${a.method} ${(a.url.split('?')[0] ?? '').slice(0, 80)} → ${a.status}: ${problem}`);
    return problem;
  }

  private problemOf(path: string, a: Answer): string | null {
    const method = a.method.toLowerCase();
    const op = this.doc.paths[path]?.[method];
    if (!op) return `${method.toUpperCase()} ${path} is not in the OpenAPI document`;
    const responses = op.responses ?? {};
    const status = [String(a.status), `${String(a.status)[0]}XX`, 'default'].find((s) => responses[s]);
    if (!status) return `status ${a.status} is not documented for ${method.toUpperCase()} ${path}`;
    const content = responses[status]!.content;
    const type = (a.contentType ?? '').split(';')[0]!.trim();
    if (!content) return a.body.length ? `a body, where the document says none (${type})` : null;
    if (!content[type]) return `content type ${type || '(none)'} is not documented (${Object.keys(content)})`;
    if (type !== 'application/json') return null;
    const validate = this.validator(path, method, status, type);
    let body: unknown;
    try {
      body = JSON.parse(a.body);
    } catch {
      return 'the body is not JSON';
    }
    if (validate(body)) return null;
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }

  private validator(path: string, method: string, status: string, type: string): ValidateFunction {
    const pointer = ['paths', path, method, 'responses', status, 'content', type, 'schema']
      .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
      .map(encodeURIComponent)
      .join('/');
    const id = `openapi.json#/${pointer}`;
    let v = this.compiled.get(id);
    if (!v) {
      v = this.ajv.compile({ $ref: id });
      this.compiled.set(id, v);
    }
    return v;
  }
}

/**
 * Every `app.inject({...})` answer of a fastify app checked against the document; the problems are
 * collected (a test asserts `checker.problems` is empty, e.g. in afterEach).
 */
export function checkInjectedAnswers(app: FastifyInstance, checker: OpenApiChecker): FastifyInstance {
  const inject = app.inject.bind(app) as (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  const checked = async (opts: InjectOptions | string) => {
    const o = typeof opts === 'string' ? { url: opts } : opts;
    const res = await inject(o);
    const url = typeof o.url === 'string' ? o.url : String(o.path ?? '');
    checker.check({
      method: o.method ?? 'GET',
      url,
      status: res.statusCode,
      contentType: res.headers['content-type'] as string | undefined,
      body: res.body,
    });
    return res;
  };
  (app as unknown as { inject: typeof checked }).inject = checked;
  return app;
}
