// The browser half of scripts/measure/dev-loop: edits a file, then waits in an open
// page until it shows the change (the dev loop reloads it), and times that.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(new URL('../../end2end/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [rounds, dir] = [Number(process.argv[2] ?? 3), process.argv[3]];
const base = 'http://localhost:3990';

const edits = {
  css: {
    file: 'style/portal.css',
    page: '/login',
    change: (text, n) => `${text}\n:root { --dev-loop-probe: "${n}"; }\n`,
    shows: (page, n) => page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue('--dev-loop-probe').includes(String(n)), n),
  },
  ftl: {
    file: 'domain/locales/en.ftl',
    page: '/login',
    change: (text, n) => text.replace(/^login-title = .*$/m, `login-title = Log in ${n}`),
    shows: (page, n) => page.getByRole('heading', { level: 1, name: `Log in ${n}` }).isVisible(),
  },
  rust: {
    file: 'app/src/pages/admin/login.rs',
    page: '/admin/login',
    change: (text, n) => text.replace('<h1>"Administrator log-in"</h1>', `<h1>"Administrator log-in ${n}"</h1>`),
    shows: (page, n) => page.getByRole('heading', { level: 1, name: `Administrator log-in ${n}` }).isVisible(),
  },
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const results = Object.fromEntries(Object.keys(edits).map((k) => [k, []]));
let n = Date.now() % 100000;
for (let round = 1; round <= rounds; round++) {
  for (const [name, edit] of Object.entries(edits)) {
    const page = await browser.newPage();
    await page.goto(base + edit.page);
    await page.waitForTimeout(1000); // the loop has seen nothing yet
    const original = readFileSync(edit.file, 'utf8');
    n += 1;
    const saved = performance.now();
    writeFileSync(edit.file, edit.change(original, n));
    let seconds = null;
    while (performance.now() - saved < 300_000) {
      try {
        if (await edit.shows(page, n)) {
          seconds = (performance.now() - saved) / 1000;
          break;
        }
      } catch {
        // the page is reloading
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    writeFileSync(edit.file, original);
    console.log(`round ${round} ${name}: ${seconds === null ? 'not shown within 300 s' : seconds.toFixed(1) + ' s'}`);
    if (seconds !== null) results[name].push(seconds);
    await page.close();
    // Let the loop rebuild and restart for the file put back before the next change.
    await new Promise((r) => setTimeout(r, name === 'rust' ? 60_000 : 4_000));
  }
}
await browser.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(results)) {
  console.log(`median ${name}: ${xs.length ? median(xs).toFixed(1) + ' s' : '-'} (${xs.length} of ${rounds})`);
}
