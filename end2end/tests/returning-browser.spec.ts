import { publishNewMessage } from './fixtures/cli';
import { LoginPage } from './fixtures/login-page';
import { MessagesPage } from './fixtures/messages-page';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

test('a browser that has logged in is recognised without a new code', async ({
  context,
  newContact,
  outbox,
  loginPage,
  javaScriptEnabled,
  texts,
}) => {
  const contact = newContact();
  const message = publishNewMessage(contact);
  await loginPage.logInAs(contact, outbox);
  const codesSent = await outbox.codeCount(contact.email);
  expect(codesSent).toBe(1);

  // Later, in the same browser (same cookies): straight to the messages.
  const later = await context.newPage();
  const response = await later.goto('/');
  expect(response?.status()).toBe(200);
  expect(response?.request().redirectedFrom()).toBeNull();
  await expect(later).toHaveURL(atPath('/'));

  const messages = new MessagesPage(later, texts);
  await expect(messages.heading).toBeVisible();
  await expect(messages.messageLink(message.title)).toBeVisible();
  await expect(new LoginPage(later, javaScriptEnabled, texts).heading).toHaveCount(0);

  // The message itself opens directly too.
  await messages.messageLink(message.title).click();
  await expect(later).toHaveURL(atPath(message.path));
  await expect(later.getByRole('heading', { level: 1, name: message.title, exact: true })).toBeVisible();

  expect(await outbox.codeCount(contact.email)).toBe(codesSent);
  expect(await outbox.codeCount(contact.phoneE164)).toBe(0);
});
