import { publishNewMessage } from './fixtures/cli';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

// Everything must work with plain HTML forms and redirects.
test.use({ javaScriptEnabled: false });

test('the whole login works without JavaScript', async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagesPage,
  messagePage,
  texts,
}) => {
  const contact = newContact();
  const message = publishNewMessage(contact);

  await page.goto('/');
  await expect(page).toHaveURL(atLoginPage('/'));
  await expect(loginPage.heading).toBeVisible();
  await expect(loginPage.emailRadio).toBeChecked();

  // A form POST, then a redirect back to /login showing step 2.
  await loginPage.requestCode(contact.email);
  await expect(page).toHaveURL(atLoginPage());
  await loginPage.expectStep2();
  await expect(loginPage.rememberNotice).toBeVisible();
  const code = await outbox.latestCode(contact.email);

  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await loginPage.enterCode(wrong);
  await expect(loginPage.alert()).toHaveText(texts.t('notice-wrong-code', { attempts: 4 }));
  await expect(page).toHaveURL(atLoginPage());

  await loginPage.enterCode(code);
  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.heading).toBeVisible();
  await expect(messagesPage.rememberBanner).toBeVisible();

  await messagesPage.messageLink(message.title).click();
  await expect(page).toHaveURL(atPath(message.path));
  await expect(messagePage.title(message.title)).toBeVisible();
  await expect(messagePage.bodyHeading).toBeVisible();

  await messagesPage.goto();
  await expect(messagesPage.heading).toBeVisible();
  await messagesPage.logOut();
  await expect(loginPage.heading).toBeVisible();

  // Logged out: a code is needed again.
  await page.goto('/');
  await expect(page).toHaveURL(atLoginPage('/'));
  await expect(loginPage.identifier).toBeVisible();
  expect(await outbox.codeCount(contact.email)).toBe(1);
});
