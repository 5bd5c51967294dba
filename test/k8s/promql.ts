/**
 * The metric names a PromQL expression reads, without a PromQL parser: strings, label matchers,
 * range selectors and grouping lists are removed, then every identifier that is not a function,
 * aggregation, keyword or Grafana variable is a metric name. Enough for the expressions in
 * k8s/monitoring; test/k8s/promql.test.ts pins what it understands.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  let text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  // Label lists after grouping keywords: `by (a, b)`, `on(pod)`, `group_left (x)`.
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{?\w+\}?|[a-zA-Z_:][a-zA-Z0-9_:]*|\d[\w.]*/g)) {
    const token = m[0];
    if (token.startsWith('$') || /^\d/.test(token) || KEYWORDS.has(token)) continue;
    const rest = text.slice(m.index + token.length);
    if (/^\s*\(/.test(rest)) continue; // a function or an aggregation
    names.add(token);
  }
  return [...names].sort();
}

/** The metric a Grafana template query reads: `label_values(<metric>, <label>)` or a plain expression. */
export function templateQueryMetrics(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*,/.exec(query);
  return labelValues ? [labelValues[1]!] : metricNames(query);
}

/**
 * The metric names in Prometheus text exposition: one per `# TYPE` line, with the series a histogram or
 * summary is exported as. Listed even when a labelled metric has no sample yet.
 */
export function exportedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}
