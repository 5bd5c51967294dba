/**
 * The HTML body kada writes to Outlook (desired/body.ts) as the plain text an ICS DESCRIPTION holds:
 * paragraphs and line breaks become lines, a link keeps its text and shows its address in angle
 * brackets, every other tag is dropped and entities are decoded. Only kada's own markup needs
 * reading: TP text in the body is already escaped, so no tag in it came from a planner.
 */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const LINK = /<a\s[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi;
const MARK = '\u0001';

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const hex = name[1] === 'x' || name[1] === 'X';
      const code = hex ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

const stripTags = (html: string) => html.replace(/<[^>]*>/g, '');

export function plainText(html: string): string {
  // Links are set aside first, so stripping tags cannot eat the addresses they show.
  const links: string[] = [];
  const marked = html.replace(/[\r\n]+/g, ' ').replace(LINK, (_m, href: string, inner: string) => {
    const label = decodeEntities(stripTags(inner)).trim();
    const url = decodeEntities(href).trim();
    links.push(label && label !== url ? `${label} <${url}>` : url);
    return `${MARK}${links.length - 1}${MARK}`;
  });
  const text = decodeEntities(
    stripTags(marked.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|h\d)>/gi, '\n')).replace(/[<>]/g, ''),
  );
  return text
    .replace(new RegExp(`${MARK}(\\d+)${MARK}`, 'g'), (_m, i: string) => links[Number(i)] ?? '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
