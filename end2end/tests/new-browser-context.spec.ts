import { publishNewMessage } from './fixtures/cli';
import { LoginPage } from './fixtures/login-page';
import { MessagesPage } from './fixtures/messages-page';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

test('another browser (or a private window) needs its own code', async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagesPage,
  newBrowserContext,
  javaScriptEnabled,
  texts,
}) => {
  const contact = newContact();
  const message = publishNewMessage(contact);
  await loginPage.logInAs(contact, outbox);
  await expect(messagesPage.heading).toBeVisible();

  const otherDevice = await newBrowserContext();
  const otherPage = await otherDevice.newPage();
  await otherPage.goto('/');
  await expect(otherPage).toHaveURL(atLoginPage('/'));
  const otherLogin = new LoginPage(otherPage, javaScriptEnabled, texts);
  await expect(otherLogin.heading).toBeVisible();
  await expect(new MessagesPage(otherPage, texts).heading).toHaveCount(0);

  // It gets in with a code of its own...
  await otherLogin.completeLogin(contact, outbox);
  await expect(otherPage).toHaveURL(atPath('/'));
  await expect(new MessagesPage(otherPage, texts).messageLink(message.title)).toBeVisible();
  expect(await outbox.codeCount(contact.email)).toBe(2);

  // ...and the first browser is still logged in.
  await page.reload();
  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.messageLink(message.title)).toBeVisible();
});
