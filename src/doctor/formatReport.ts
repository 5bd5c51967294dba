import type { DoctorReport } from './runDoctor';

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const RESET = '\u001b[0m';

/**
 * One line per check, ✓ or ✗, and under a failed one what to do. Colour only for a terminal: a log
 * file or a pipe gets the plain text.
 */
export function formatReport(r: DoctorReport, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const width = Math.max(...r.checks.map((c) => c.check.length));
  const lines: string[] = [];
  for (const c of r.checks) {
    const mark = c.ok ? paint(GREEN, '✓') : paint(c.required ? RED : YELLOW, '✗');
    const optional = c.required || c.detail.includes('optional') ? '' : ' (optional)';
    lines.push(`${mark} ${c.check.padEnd(width)}  ${c.detail}${optional}`);
    if (!c.ok && c.fix) lines.push(`  ${' '.repeat(width)}  → ${c.fix}`);
  }
  const failed = r.checks.filter((c) => !c.ok && c.required).length;
  lines.push(
    r.ok
      ? paint(GREEN, 'all required checks passed')
      : paint(RED, `${failed} required check(s) failed: kada is not ready to run`),
  );
  return `${lines.join('\n')}\n`;
}
