/**
 * Where a course's own web page is, per institution. TP does not give the URL, and most
 * institutions build it from the course code alone; UiO's pages also need the faculty and
 * department, which kada does not know. For institutions without a known pattern kada links to a
 * web search restricted to the institution's site, which finds the course page as the first hit
 * and never points at a page that does not exist.
 */
const PATTERNS: Record<string, (code: string) => string> = {
  ntnu: (code) => `https://www.ntnu.no/studier/emner/${code}`,
  uib: (code) => `https://www.uib.no/emne/${code}`,
};

export function coursePageUrl(institution: string, courseId: string): string {
  const code = encodeURIComponent(courseId.trim());
  const pattern = PATTERNS[institution];
  if (pattern) return pattern(code);
  const site = `${institution}.no`;
  return `https://duckduckgo.com/?q=${code}+site%3A${encodeURIComponent(site)}`;
}
