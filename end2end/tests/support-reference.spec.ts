import { adminDesk, search } from './fixtures/admin-desk';
import { expectNoSeriousA11yViolations } from './fixtures/axe';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test';
import type { Texts } from './fixtures/texts';

/** Crockford's base32, as the portal shows a reference: `K7M-4QX`. */
const REFERENCE = /^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/;

/** The support reference under the alert, in the contact's language, as they read it. */
async function shownReference(page: Page, texts: Texts): Promise<string> {
  const line = page.getByText(texts.pattern('notice-reference'));
  await expect(line).toBeVisible();
  const reference = ((await line.locator('strong').textContent()) ?? '').trim();
  expect(reference).toMatch(REFERENCE);
  return reference;
}

test('an administrator types the reference a contact reads from their screen and lands on that attempt', async ({
  page,
  newContact,
  outbox,
  loginPage,
  texts,
  newBrowserContext,
}) => {
  const contact = newContact();
  await loginPage.goto();
  await loginPage.requestCode(contact.email);
  const code = await outbox.latestCode(contact.email);
  await loginPage.enterCode(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
  await expect(loginPage.alert()).toHaveText(texts.t('notice-wrong-code', { attempts: 4 }));
  // Under the alert, in the contact's language: the reference to give when calling.
  const reference = await shownReference(page, texts);

  // On the phone, the administrator types what they hear: lower case, a space.
  const desk = await adminDesk(newBrowserContext);
  await search(desk, reference.toLowerCase().replace('-', ' '));

  // Straight to the contact's card, at that attempt.
  await expect(desk.getByRole('heading', { level: 1, name: contact.name })).toBeVisible();
  const attempt = desk.getByRole('region', { name: `The attempt of reference ${reference}` });
  await expect(attempt).toContainText('a code entry');
  await expect(attempt).toContainText('the code was wrong');
  await expect(attempt).toContainText(contact.email);
  await expect(desk.getByRole('region', { name: 'Timeline, last 30 days' })).toContainText('verification failed (wrong code)');
  await expectNoSeriousA11yViolations(desk, 'The contact card at an attempt');
});

test('a code typed after the browser lost its cookies is diagnosed on the card as typed elsewhere', async ({
  page,
  newContact,
  outbox,
  loginPage,
  texts,
  newBrowserContext,
}) => {
  const contact = newContact();
  await loginPage.goto();
  await loginPage.requestCode(contact.email);
  const code = await outbox.latestCode(contact.email);

  // The browser forgets its cookies while the code step is open (a private window,
  // a cleaner app): the code is typed where no login is in progress any more.
  await page.context().clearCookies();
  await loginPage.enterCode(code);
  await expect(loginPage.alert()).toHaveText(texts.t('notice-no-flow'));
  const reference = await shownReference(page, texts);

  const desk = await adminDesk(newBrowserContext);
  await search(desk, contact.email);
  await desk.getByRole('link', { name: contact.name }).click();
  const diagnosis = desk.getByRole('region', { name: 'Login diagnosis' });
  await expect(diagnosis).toContainText('probably typed in another browser or a private window');
  await expect(diagnosis).toContainText(`reference ${reference}`);
  await expect(diagnosis).not.toContainText('spam or junk folder');
});
