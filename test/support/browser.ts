import { existsSync } from 'node:fs';

/** The system Chromium (Debian package `chromium`); tests never download a browser. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

/** Why browser tests cannot run here, or undefined when they can (`.ci/run` installs the Debian package). */
export const chromiumMissing: string | undefined = CHROMIUM
  ? undefined
  : 'chromium is not installed (apt-get install -y chromium): the browser tests are skipped';

/** Launches the system Chromium headless for playwright-core; `args` add Chromium flags (a host-resolver rule). */
export async function launchChromium(args: string[] = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM!, headless: true, args: ['--no-sandbox', '--disable-gpu', ...args] });
}
