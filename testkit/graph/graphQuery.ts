import { badRequest } from './graphHttp';

/**
 * OData query options as the Outlook part of Graph understands them, for the emulator: `$filter`
 * (comparisons, and/or/not, `any` lambdas over collections such as singleValueExtendedProperties),
 * `$expand` with a nested `$filter`, `$select`, `$top`, `$orderby`, `$count` and `$skiptoken` paging.
 */

export type Literal = string | number | boolean | null;

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string[]; value: Literal }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; path: string[]; variable: string; body: FilterExpr };

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'sym'; v: string };

function invalidFilter(detail: string): never {
  throw badRequest('BadRequest', `Invalid filter clause: ${detail}`);
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('(),:/'.includes(c)) {
      out.push({ t: 'sym', v: c });
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) invalidFilter('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push({ t: 'str', v });
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) invalidFilter(`unexpected '${c}'`);
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_.$]*/.exec(text.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      invalidFilter(`unexpected '${c}'`);
    }
  }
  return out;
}

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(text: string): FilterExpr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string) => {
    const t = peek();
    return t?.t === 'id' && t.v.toLowerCase() === w;
  };
  const expectSym = (v: string) => {
    const t = tokens[pos++];
    if (t?.t !== 'sym' || t.v !== v) invalidFilter(`expected '${v}'`);
  };

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterExpr {
    let left = parseUnary();
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): FilterExpr {
    if (isWord('not')) {
      pos++;
      return { kind: 'not', expr: parseUnary() };
    }
    const t = peek();
    if (t?.t === 'sym' && t.v === '(') {
      pos++;
      const e = parseOr();
      expectSym(')');
      return e;
    }
    return parsePathExpr();
  }
  function parsePathExpr(): FilterExpr {
    const first = tokens[pos++];
    if (first?.t !== 'id') invalidFilter('expected a property path');
    const path = [first.v];
    for (;;) {
      const t = peek();
      if (t?.t !== 'sym' || t.v !== '/') break;
      pos++;
      const seg = tokens[pos++];
      if (seg?.t !== 'id') invalidFilter('expected a property name after /');
      const lower = seg.v.toLowerCase();
      const next = peek();
      if ((lower === 'any' || lower === 'all') && next?.t === 'sym' && next.v === '(') {
        pos++;
        const variable = tokens[pos++];
        if (variable?.t !== 'id') invalidFilter('expected a lambda variable');
        expectSym(':');
        const body = parseOr();
        expectSym(')');
        return { kind: 'lambda', quantifier: lower, path, variable: variable.v, body };
      }
      path.push(seg.v);
    }
    const opTok = tokens[pos++];
    if (opTok?.t !== 'id' || !OPS.has(opTok.v.toLowerCase()))
      invalidFilter(`expected a comparison after '${path.join('/')}'`);
    const lit = tokens[pos++];
    let value: Literal;
    if (lit?.t === 'str' || lit?.t === 'num') value = lit.v;
    else if (lit?.t === 'id' && ['true', 'false', 'null'].includes(lit.v))
      value = lit.v === 'null' ? null : lit.v === 'true';
    else invalidFilter(`expected a literal after '${opTok.v}'`);
    return { kind: 'cmp', op: opTok.v.toLowerCase() as 'eq', path, value };
  }

  if (!tokens.length) invalidFilter('empty expression');
  const expr = parseOr();
  if (pos !== tokens.length) invalidFilter('unexpected text after the expression');
  return expr;
}

/**
 * Evaluates a filter against `root`. `equal` lets the caller compare some paths its own way
 * (extended property ids compare by identity, not by spelling).
 */
export function evaluateFilter(
  expr: FilterExpr,
  root: Record<string, unknown>,
  equal: (path: string[], actual: unknown, expected: Literal) => boolean | undefined = () => undefined,
  scope: Record<string, unknown> = {},
): boolean {
  const resolve = (path: string[]): unknown => {
    let cur: unknown = path[0]! in scope ? scope[path[0]!] : root[path[0]!];
    for (const seg of path.slice(1))
      cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined;
    return cur;
  };
  switch (expr.kind) {
    case 'and':
      return evaluateFilter(expr.left, root, equal, scope) && evaluateFilter(expr.right, root, equal, scope);
    case 'or':
      return evaluateFilter(expr.left, root, equal, scope) || evaluateFilter(expr.right, root, equal, scope);
    case 'not':
      return !evaluateFilter(expr.expr, root, equal, scope);
    case 'lambda': {
      const coll = resolve(expr.path);
      const items = Array.isArray(coll) ? coll : [];
      const test = (item: unknown) => evaluateFilter(expr.body, root, equal, { ...scope, [expr.variable]: item });
      return expr.quantifier === 'any' ? items.some(test) : items.every(test);
    }
    case 'cmp': {
      const actual = resolve(expr.path);
      const custom = equal(expr.path, actual, expr.value);
      if (custom !== undefined && (expr.op === 'eq' || expr.op === 'ne')) return expr.op === 'eq' ? custom : !custom;
      const a = actual ?? null;
      const e = expr.value;
      switch (expr.op) {
        case 'eq':
          return a === e;
        case 'ne':
          return a !== e;
        default: {
          if (a === null || e === null) return false;
          const cmp = a < e ? -1 : a > e ? 1 : 0;
          return expr.op === 'gt' ? cmp > 0 : expr.op === 'ge' ? cmp >= 0 : expr.op === 'lt' ? cmp < 0 : cmp <= 0;
        }
      }
    }
  }
}

/** Splits on commas outside parentheses and string literals. */
export function splitTopLevel(text: string, sep = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (const ch of text) {
    if (ch === "'") inStr = !inStr;
    if (!inStr && ch === '(') depth++;
    if (!inStr && ch === ')') depth--;
    if (!inStr && depth === 0 && ch === sep) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export interface ExpandItem {
  property: string;
  filter?: FilterExpr;
}

export function parseExpand(text: string): ExpandItem[] {
  return splitTopLevel(text).map((part) => {
    const m = /^([A-Za-z_][A-Za-z0-9_./]*)\s*(?:\((.*)\))?$/s.exec(part);
    if (!m) throw badRequest('BadRequest', `Parsing OData Select and Expand failed: syntax error in '${part}'.`);
    const item: ExpandItem = { property: m[1]! };
    for (const opt of m[2] ? splitTopLevel(m[2], ';') : []) {
      const eq = opt.indexOf('=');
      const key = opt.slice(0, eq).trim().toLowerCase();
      if (key === '$filter') item.filter = parseFilter(opt.slice(eq + 1));
      else
        throw badRequest(
          'BadRequest',
          `Query option '${opt.slice(0, eq).trim()}' is not supported inside $expand by the emulator.`,
        );
    }
    return item;
  });
}

/** The raw query of a request, decoded the way ASP.NET decodes it (`+` is a space). */
export function parseQueryString(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawVal = eq === -1 ? '' : part.slice(eq + 1);
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw badRequest('BadRequest', `Malformed query string near '${s}'.`);
      }
    };
    let key = decode(rawKey);
    if (key.startsWith('$')) key = key.toLowerCase();
    if (out.has(key))
      throw badRequest(
        'BadRequest',
        `Query option '${key}' was specified more than once, but it must be specified at most once.`,
      );
    out.set(key, decode(rawVal));
  }
  return out;
}

export interface ListOptions {
  filter?: FilterExpr;
  expand: ExpandItem[];
  select?: string[];
  top: number;
  skip: number;
  count: boolean;
  orderby?: { path: string[]; desc: boolean }[];
}

const KNOWN_OPTIONS = new Set(['$filter', '$expand', '$select', '$top', '$skip', '$skiptoken', '$count', '$orderby']);

export function parseListOptions(q: Map<string, string>, defaultTop = 10, maxTop = 1000): ListOptions {
  for (const k of q.keys()) {
    if (k.startsWith('$') && !KNOWN_OPTIONS.has(k)) {
      throw badRequest('BadRequest', `Query option '${k}' is not supported by this emulator of the Outlook API.`);
    }
  }
  const intOption = (name: string) => {
    const v = q.get(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v.trim())) throw badRequest('BadRequest', `Invalid value '${v}' for query option '${name}'.`);
    return Number(v);
  };
  const top = Math.min(intOption('$top') ?? defaultTop, maxTop);
  let skip = intOption('$skip') ?? 0;
  const token = q.get('$skiptoken');
  if (token !== undefined) skip = decodeSkipToken(token);
  const select = q
    .get('$select')
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const orderby = q
    .get('$orderby')
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [p, dir] = x.split(/\s+/);
      return { path: p!.split('/'), desc: dir?.toLowerCase() === 'desc' };
    });
  const countText = q.get('$count');
  return {
    filter: q.has('$filter') ? parseFilter(q.get('$filter')!) : undefined,
    expand: q.has('$expand') ? parseExpand(q.get('$expand')!) : [],
    select,
    top: top === 0 ? defaultTop : top,
    skip,
    count: countText?.toLowerCase() === 'true',
    orderby,
  };
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    /* fall through */
  }
  throw badRequest('BadRequest', `The $skiptoken '${token}' is not valid.`);
}

/** An absolute `@odata.nextLink`: the same query with `$skiptoken` moved on, values percent-encoded. */
export function nextLink(baseUrl: string, q: Map<string, string>, nextOffset: number): string {
  const parts: string[] = [];
  for (const [k, v] of q) {
    if (k === '$skiptoken' || k === '$skip') continue;
    parts.push(`${k.startsWith('$') ? k : encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(nextOffset)}`);
  return `${baseUrl}?${parts.join('&')}`;
}
