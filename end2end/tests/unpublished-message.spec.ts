import { publishNewMessage } from './fixtures/cli';
import { DEFAULT_IGNORED_CONSOLE_ERRORS, FORBIDDEN_RESOURCE_ERROR } from './fixtures/browser-errors';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

// The 403 document itself makes Chromium log "Failed to load resource ... 403".
test.use({ ignoredConsoleErrors: { patterns: [...DEFAULT_IGNORED_CONSOLE_ERRORS, FORBIDDEN_RESOURCE_ERROR] } });

test('a message published to someone else is refused with 403, and the contact can switch accounts', async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagePage,
}) => {
  const contactA = newContact();
  const contactB = newContact();
  const messageForA = publishNewMessage(contactA);
  const messageForB = publishNewMessage(contactB);

  await loginPage.logInAs(contactA, outbox, { next: messageForA.path });
  await expect(messagePage.title(messageForA.title)).toBeVisible();

  const response = await messagePage.goto(messageForB.id);
  expect(response?.status()).toBe(403);
  await expect(page).toHaveURL(atPath(messageForB.path));
  await expect(messagePage.notPublishedHeading).toBeVisible();
  await expect(messagePage.notALoginProblem).toBeVisible();
  // Nothing of the message leaks.
  await expect(page.getByText(messageForB.title)).toHaveCount(0);
  await expect(messagePage.bodyHeading).toHaveCount(0);

  await messagePage.logInAsSomeoneElseButton.click();
  await expect(page).toHaveURL(atLoginPage(messageForB.path));
  await expect(loginPage.heading).toBeVisible();
  await expect(loginPage.identifier).toBeVisible();

  // Logging in as the right contact then shows the message.
  await loginPage.completeLogin(contactB, outbox);
  await expect(page).toHaveURL(atPath(messageForB.path));
  await expect(messagePage.title(messageForB.title)).toBeVisible();
});
