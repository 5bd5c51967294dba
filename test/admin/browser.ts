import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's chromium, headless, with a fresh profile that is removed afterwards. `ignoreHTTPSErrors`
 * lets it visit the test kit's TLS servers, whose CA only Node trusts (NODE_EXTRA_CA_CERTS).
 */
export async function launchChromium(
  opts: { ignoreHTTPSErrors?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does this)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'kada-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    ignoreHTTPSErrors: opts.ignoreHTTPSErrors ?? false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
