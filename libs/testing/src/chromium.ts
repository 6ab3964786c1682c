import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts the browser the browser tests drive (playwright-core downloads none). */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Makes sure Debian's chromium is installed before the browser tests, so that `npm test` needs
 * nothing installed by hand: as root on a Debian machine it runs apt-get (its package lists
 * refreshed only if the install fails without). Elsewhere it only says what is missing, and the
 * browser test fails naming it; the other tests run.
 */
export function ensureChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  if (existsSync(chromiumPath)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    log(`no browser at ${chromiumPath}, and apt-get cannot install it here (not root on Debian): the browser tests will fail`);
    return;
  }
  log(`no browser at ${chromiumPath}: installing Debian's chromium with apt-get (once per machine)`);
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
  if (!existsSync(chromiumPath)) throw new Error(`apt-get installed chromium, but there is no browser at ${chromiumPath}`);
}
