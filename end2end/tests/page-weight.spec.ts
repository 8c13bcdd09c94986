import { expect, test } from './fixtures/test';

/**
 * What a phone downloads for the login page, with the budget the page is built to:
 * the card's script (JS + WebAssembly) at most 50 KiB as brotli, every file sent
 * compressed and cached for a year under a name that changes with its content, and
 * the script fetched only after the page has loaded.
 */
const BUDGET = 50 * 1024;

test('the login page stays within its budget and its files are compressed and cached', async ({ page, loginPage, request }) => {
  const loaded: { url: string; encoding: string; at: number }[] = [];
  let pageLoadedAt = Number.POSITIVE_INFINITY;
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      loaded.push({ url: response.url(), encoding: response.headers()['content-encoding'] ?? '', at: Date.now() });
    }
  });
  page.on('load', () => {
    pageLoadedAt = Math.min(pageLoadedAt, Date.now());
  });
  await loginPage.goto();
  await loginPage.waitForScript();

  const files = loaded.map((f) => new URL(f.url).pathname);
  const js = files.find((f) => /^\/pkg\/portal\.[0-9a-f]{12}\.js$/.test(f));
  const wasm = files.find((f) => /^\/pkg\/portal_bg\.[0-9a-f]{12}\.wasm$/.test(f));
  const css = files.find((f) => /^\/pkg\/portal\.[0-9a-f]{12}\.css$/.test(f));
  expect(js, `files: ${files}`).toBeDefined();
  expect(wasm, `files: ${files}`).toBeDefined();
  expect(css, `files: ${files}`).toBeDefined();
  // The browser got them compressed (Chromium asks for gzip over plain http).
  for (const file of loaded) expect(file.encoding, file.url).toMatch(/^(br|gzip)$/);
  // The script came after the page, not before it.
  for (const file of loaded.filter((f) => /\.(js|wasm)$/.test(f.url))) expect(file.at).toBeGreaterThanOrEqual(pageLoadedAt);

  let brotli = 0;
  for (const path of [js!, wasm!, css!]) {
    const response = await request.get(path, { headers: { 'Accept-Encoding': 'br' } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-encoding']).toBe('br');
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    if (path !== css) brotli += Number(response.headers()['content-length']);
  }
  console.log(`login page script: ${brotli} B brotli (budget ${BUDGET} B)`);
  expect(brotli).toBeLessThanOrEqual(BUDGET);
});
