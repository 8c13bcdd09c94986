import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

test('an older code is refused once a newer one was sent, and the newer one works', async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagesPage,
  texts,
}) => {
  const contact = newContact();

  await loginPage.goto();
  await loginPage.requestCode(contact.email);
  const codeA = await outbox.latestCode(contact.email);

  // The cooldown on the test server is 2 s; resend() waits for it.
  await loginPage.resend();
  const codeB = await outbox.waitForNewCode(contact.email, 1);
  expect(codeB).not.toBe(codeA);

  await loginPage.enterCode(codeA);
  // "A newer code was sent by email just now (at 14:05). Only the newest code works: …"
  await expect(loginPage.alert()).toHaveText(texts.pattern('notice-superseded-here', { by: texts.t('by-email') }));
  await expect(loginPage.alert()).toContainText(texts.lang === 'da' ? /kl\. \d\d\.\d\d/ : /at \d\d:\d\d/);
  await expect(page).toHaveURL(atLoginPage());
  await expect(loginPage.codeInput).toBeVisible();

  await loginPage.enterCode(codeB);
  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.heading).toBeVisible();
});
