import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrometheusRuleObject } from './crdSchemas';
import { renderKustomization } from './kustomize';

/** docs/runbook.md has a section for every alert, and every alert's runbook_url points at it. */

const root = path.resolve(__dirname, '../..');
const runbook = fs.readFileSync(path.join(root, 'docs/runbook.md'), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const headings = [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim());
const anchors = new Set(headings.map(anchor));

const rules = (
  renderKustomization(path.join(root, 'k8s/overlays/uio')).find(
    (r) => r.kind === 'PrometheusRule',
  ) as unknown as PrometheusRuleObject
).spec.groups.flatMap((g) => g.rules);

/** The text of the section under `heading`, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = runbook.search(new RegExp(`^(#{2,4}) ${heading}$`, 'm'));
  const level = /^#+/.exec(runbook.slice(start))![0].length;
  const rest = runbook.slice(start).split('\n').slice(1).join('\n');
  const end = rest.search(new RegExp(`^#{2,${level}} `, 'm'));
  return end === -1 ? rest : rest.slice(0, end);
}

describe('docs/runbook.md', () => {
  it('has a section named after every alert, saying what it means, what to check and what to do', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(headings, `a section for ${r.alert}`).toContain(r.alert);
      const text = section(r.alert);
      for (const part of ['**Means:**', '**Check:**', '**Do:**']) expect(text, `${r.alert}: ${part}`).toContain(part);
      expect(text, `${r.alert} points to a tool`).toMatch(/kada (status|doctor|deletes)|admin page|kubectl/);
    }
  });

  it("is where every alert's runbook_url points: the alert name in lower case", () => {
    for (const r of rules) {
      const url = new URL(r.annotations.runbook_url);
      expect(url.pathname, r.alert).toMatch(/\/docs\/runbook\.md$/);
      expect(url.hash, r.alert).toBe(`#${r.alert.toLowerCase()}`);
      expect(anchors.has(url.hash.slice(1)), `${r.alert}: anchor ${url.hash} exists`).toBe(true);
    }
  });

  it('covers the situations without an alert, and every link inside it resolves', () => {
    for (const h of [
      'A student says a lecture is missing',
      'The first fill',
      'Credential rotation',
      'Lost database drill',
    ]) {
      expect(headings).toContain(h);
    }
    for (const [, target] of runbook.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors.has(target!), target).toBe(true);
  });
});
