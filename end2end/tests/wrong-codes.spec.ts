import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

/** A 6-digit code that differs from `code` (the n-th such). */
function wrongCode(code: string, n: number): string {
  return String((Number(code) + 1 + n) % 1_000_000).padStart(6, '0');
}

test('five wrong codes lock the code; a new code works', async ({ page, newContact, outbox, loginPage, messagesPage, texts }) => {
  const contact = newContact();

  await loginPage.goto();
  await loginPage.requestCode(contact.email);
  const code = await outbox.latestCode(contact.email);

  for (const [attempt, left] of [4, 3, 2, 1].entries()) {
    await loginPage.enterCode(wrongCode(code, attempt));
    await expect(loginPage.alert()).toHaveText(texts.t('notice-wrong-code', { attempts: left }));
    await expect(page).toHaveURL(atLoginPage());
  }

  await loginPage.enterCode(wrongCode(code, 4));
  await expect(loginPage.alert()).toHaveText(texts.t('notice-too-many-attempts'));

  // Even the right code is refused now.
  await loginPage.enterCode(code);
  await expect(loginPage.alert()).toHaveText(texts.t('notice-too-many-attempts'));
  await expect(page).toHaveURL(atLoginPage());
  await expect(messagesPage.heading).toHaveCount(0);

  // A new code starts over.
  await loginPage.resend();
  const newCode = await outbox.waitForNewCode(contact.email, 1);
  await loginPage.enterCode(newCode);
  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.heading).toBeVisible();
});
