import { AttackerSite } from './fixtures/attacker';
import { DEFAULT_IGNORED_CONSOLE_ERRORS } from './fixtures/browser-errors';
import { LoginPage } from './fixtures/login-page';
import { MAIN_BASE_URL } from './fixtures/servers';
import { expect, test } from './fixtures/test';
import { atLoginPage } from './fixtures/urls';

// The attacker's pages make refused requests on purpose; their console errors are
// the expected outcome, not a portal bug.
test.use({
  ignoredConsoleErrors: {
    patterns: [...DEFAULT_IGNORED_CONSOLE_ERRORS, /status of 403/, /CORS|Access-Control-Allow-Origin|Failed to fetch|ERR_FAILED/],
  },
});

let attacker: AttackerSite;
test.beforeAll(async () => {
  attacker = await AttackerSite.start(MAIN_BASE_URL);
});
test.afterAll(async () => {
  await attacker.stop();
});

/** Opens an attacker page and waits for the portal's answer to what it sends. */
async function attack(page: import('@playwright/test').Page, url: string, portalPath: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${MAIN_BASE_URL}${portalPath}`)),
    page.goto(url),
  ]);
  return response.status();
}

test('login CSRF: a cross-site form with the attacker\'s own valid code does not log the victim in', async ({
  page,
  newContact,
  outbox,
  newBrowserContext,
}) => {
  // The attacker gets a real code for their own contact, in their own browser.
  const attackerContact = newContact();
  const attackerBrowser = await newBrowserContext();
  const attackerPage = await attackerBrowser.newPage();
  await attackerPage.goto('/login');
  const attackerLogin = new LoginPage(attackerPage);
  await attackerLogin.requestCode(attackerContact.email);
  const code = await outbox.latestCode(attackerContact.email);

  // The victim's browser, on the attacker's site, posts that code to the portal.
  expect(await attack(page, attacker.crossSite(`/login-csrf?code=${code}`), '/api/login/verify-code')).toBe(403);
  await page.goto('/');
  await expect(page).toHaveURL(atLoginPage('/'));
  expect((await page.context().cookies()).filter((c) => c.name === '__Host-portal-device')).toEqual([]);
});

test('a cross-site or same-site page cannot log the victim out', async ({ page, newContact, outbox, loginPage, messagesPage }) => {
  const victim = newContact();
  await loginPage.logInAs(victim, outbox);
  expect(await attack(page, attacker.crossSite('/logout-csrf'), '/api/log-out')).toBe(403);
  expect(await attack(page, attacker.sameSite('/logout-csrf'), '/api/log-out')).toBe(403);
  await page.goto('/');
  await expect(messagesPage.heading).toBeVisible();
});

test('a cross-site page cannot make the portal send codes, by form or by fetch', async ({ page, newContact, outbox }) => {
  const victim = newContact();
  expect(await attack(page, attacker.crossSite(`/send-code-csrf?to=${victim.email}`), '/api/login/request-code')).toBe(403);
  // A credentialed cross-site fetch: the browser may hide the answer from the page
  // (CORS), so the proof is what the portal did: nothing.
  await page.goto(attacker.crossSite(`/fetch-csrf?to=${victim.email}`));
  await expect(page).toHaveTitle(/blocked|status 403/);
  const sameOrigin = await page.request.post('/api/login/request-code', {
    form: { identifier: victim.email, channel: 'email', next: '/' },
    headers: { origin: 'http://localhost:1' },
  });
  expect(sameOrigin.status()).toBe(403);
  expect(await outbox.codeCount(victim.email)).toBe(0);
});
