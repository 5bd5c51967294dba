/** Variables whose values are secret: never logged, redacted from output. */
const SECRET_VARS = [
  'AZURE_CLIENT_SECRET',
  'TP_API_KEY',
  'FS_API_KEY',
  'ADMIN_TOKEN',
  'DATABASE_URL',
  'AMQP_URL',
  'METRICS_TOKEN',
  'KADA_LOG_KEY',
  'KADA_ICS_KEY',
  'ADMIN_OIDC_CLIENT_SECRET',
] as const;

/** The configured secret values, for redaction and for tests that scan output for leaks. */
export function secretValues(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const k of SECRET_VARS) {
    const v = env[k];
    if (!v) continue;
    out.push(v);
    if (k === 'DATABASE_URL' || k === 'AMQP_URL') {
      try {
        const pw = new URL(v).password;
        if (pw) out.push(decodeURIComponent(pw));
      } catch {
        /* not a URL: the whole value is already listed */
      }
    }
  }
  return out;
}
