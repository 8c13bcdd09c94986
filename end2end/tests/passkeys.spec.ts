import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { DEFAULT_IGNORED_CONSOLE_ERRORS } from './fixtures/browser-errors';
import { PASSKEY_SERVER } from './fixtures/servers';
import { publishNewMessage } from './fixtures/cli';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

// WebAuthn needs a domain name: this server is reached at localhost.
test.use({
  baseURL: PASSKEY_SERVER.baseURL,
  // A refused passkey is answered 401, which Chromium logs as a failed resource.
  ignoredConsoleErrors: { patterns: [...DEFAULT_IGNORED_CONSOLE_ERRORS, /status of 401/] },
});

/** Chromium's virtual authenticator (DevTools protocol): a platform passkey store. */
async function authenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

test('a contact who clears cookies every day saves a passkey once and then logs in without a code', async ({
  page,
  context,
  newContact,
  outbox,
  loginPage,
  messagesPage,
  messagePage,
}) => {
  await authenticator(page);
  const contact = newContact();
  await loginPage.logInAs(contact, outbox);

  // The offer, minutes after the code login.
  const offer = page.getByRole('region', { name: 'Log in without a code next time' });
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Save a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Your passkeys' })).toBeVisible();
  await expect(page.getByText(/^Made on /)).toBeVisible();
  const codes = await outbox.codeCount(contact.email);
  const message = publishNewMessage(contact);

  // Three days in a row the browser forgets everything; each time the contact opens
  // a message link, the address field's autofill offers the passkey (Chromium's
  // virtual authenticator takes it at once, as a tap would), and the message opens.
  for (let day = 0; day < 3; day++) {
    await context.clearCookies();
    await page.goto(message.path);
    await expect(page).toHaveURL(atPath(message.path));
    await expect(messagePage.title(message.title)).toBeVisible();
  }
  await page.goto('/');
  await expect(messagesPage.heading).toBeVisible();
  await expect(offer, 'no offer after a passkey login').toHaveCount(0);
  expect(await outbox.codeCount(contact.email), 'no code was sent').toBe(codes);
});

test('a synced passkey logs in from a private window, and a removed one is refused', async ({
  page,
  newContact,
  outbox,
  loginPage,
  newBrowserContext,
}) => {
  const first = await authenticator(page);
  const contact = newContact();
  await loginPage.logInAs(contact, outbox);
  await page.getByRole('button', { name: 'Save a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Your passkeys' })).toBeVisible();

  // The password manager syncs the passkey: the private window's authenticator
  // holds the same credential.
  const { credentials } = await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.id });
  expect(credentials).toHaveLength(1);
  const privateWindow: BrowserContext = await newBrowserContext();
  const other = await privateWindow.newPage();
  const synced = await authenticator(other);
  await synced.cdp.send('WebAuthn.addCredential', { authenticatorId: synced.id, credential: credentials[0] });
  await other.goto('/login');
  await expect(other.getByRole('heading', { level: 1, name: 'Your messages' })).toBeVisible();

  // Removed on the messages page: the synced copy no longer works, and the login
  // page says so and offers the code login.
  await page.reload();
  await page.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('heading', { name: 'Your passkeys' })).toHaveCount(0);
  await privateWindow.clearCookies();
  await other.goto('/login');
  await expect(other.getByRole('status').filter({ hasText: 'That passkey did not work here; log in with a code instead.' })).toBeVisible();
  await expect(other.getByLabel('Email or mobile number')).toBeVisible();
});

test('the offer also meets a contact who logged in on a message, and "Not now" is remembered', async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagePage,
}) => {
  await authenticator(page);
  const contact = newContact();
  const message = publishNewMessage(contact);
  await page.goto(message.path);
  await loginPage.completeLogin(contact, outbox);
  await expect(messagePage.title(message.title)).toBeVisible();
  const offer = page.getByRole('region', { name: 'Log in without a code next time' });
  await offer.getByRole('button', { name: 'Not now' }).click();
  await expect(page).toHaveURL(atPath(message.path));
  await expect(offer).toHaveCount(0);
  await page.goto('/');
  await expect(offer).toHaveCount(0);
});

test('the passkey button logs in from the code step, and its answer replayed is refused', async ({
  page,
  context,
  newContact,
  outbox,
  loginPage,
}) => {
  await authenticator(page);
  const contact = newContact();
  await loginPage.logInAs(contact, outbox);
  await page.getByRole('button', { name: 'Save a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Your passkeys' })).toBeVisible();

  // Cookies gone; the contact asks for a code (the code step has no autofill), then
  // remembers the passkey and taps the button instead.
  await context.clearCookies();
  const asked = await page.request.post('/api/login/request-code', {
    form: { identifier: contact.email, channel: 'email', next: '/' },
    headers: { origin: PASSKEY_SERVER.baseURL },
  });
  expect(asked.ok()).toBe(true);
  let sent: string | null = null;
  await page.route('**/passkeys/login', async (route) => {
    sent = route.request().postData();
    await route.continue();
  });
  await page.goto('/login');
  await loginPage.expectStep2();
  await page.getByRole('button', { name: 'Log in with a passkey' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your messages' })).toBeVisible();
  expect(sent, 'the login was sent').not.toBeNull();

  // The same answer again, as an eavesdropper would send it.
  const replay = await page.request.post('/passkeys/login', {
    data: JSON.parse(sent ?? '{}'),
    headers: { origin: PASSKEY_SERVER.baseURL },
  });
  expect(replay.status()).toBe(409);
  expect((await replay.json()).error).toContain('expired or was already used');
  expect(replay.headers()['set-cookie'], 'no cookie for a refused answer').toBeUndefined();
});
