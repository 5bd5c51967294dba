/**
 * The benchmark table: every figure next to the reference it is judged against, both measured or
 * derived in the same run, and the goal from the issue. Figures only: nothing here fails a build.
 */
export interface Row {
  scenario: string;
  measure: string;
  value: string;
  reference: string;
  ratio?: string;
  goal?: string;
  /** Whether the figure meets the goal; shown as ✓ or ✗ next to it (information only, nothing fails). */
  met?: boolean;
}

export interface Section {
  id: string;
  title: string;
  rows: Row[];
  notes: string[];
}

const fmtNumber = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const num = (n: number, digits = 0) => (Number.isFinite(n) ? fmtNumber(n, digits) : 'n/a');
export const secs = (ms: number, digits = 1) => `${num(ms / 1000, digits)} s`;
export const millis = (ms: number) => `${num(ms, 0)} ms`;
export const ratio = (a: number, b: number, digits = 2) => (b === 0 ? 'n/a' : `${num(a / b, digits)}×`);
export const mb = (bytes: number) => `${num(bytes / 1024 / 1024, 0)} MB`;

function escapeCell(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

export function table(sections: Section[]): string {
  const head = ['#', 'scenario', 'measure', 'kada', 'reference (same run)', 'kada ÷ reference', 'goal'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of sections) {
    for (const r of s.rows) {
      const goal = r.goal ? `${r.goal}${r.met === undefined ? '' : r.met ? ' ✓' : ' ✗'}` : '';
      lines.push(
        `| ${[s.id, r.scenario, r.measure, r.value, r.reference, r.ratio ?? '', goal].map(escapeCell).join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

export function notes(sections: Section[]): string {
  const out: string[] = [];
  for (const s of sections) {
    if (!s.notes.length) continue;
    out.push(`**${s.id}. ${s.title}**`);
    for (const n of s.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}
