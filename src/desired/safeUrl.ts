/**
 * Returns the URL normalised if it is an absolute http(s) URL, else null. TP's URL fields are free
 * text: `javascript:`, `data:` and relative links must never reach a calendar body or location.
 */
export function safeHttpUrl(raw: string | undefined | null): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text)) return null;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password) return null;
    return url.href;
  } catch {
    return null;
  }
}
