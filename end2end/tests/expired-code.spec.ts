import { SHORT_TTL_SERVER } from './fixtures/servers';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

// This server's codes live for 3 seconds only.
test.use({ baseURL: SHORT_TTL_SERVER.baseURL });

test('an expired code is refused, and a new code works', async ({
  page,
  server,
  newContact,
  outbox,
  loginPage,
  messagesPage,
  texts,
}) => {
  const ttl = server.codeTtlMs;
  if (ttl === undefined) throw new Error(`the ${server.name} server has no short code lifetime`);
  const contact = newContact();

  await loginPage.goto();
  const sentBy = await loginPage.requestCode(contact.email);
  const code = await outbox.latestCode(contact.email);

  // Let the code expire (with a margin), without sleeping blindly.
  const expiredAfter = sentBy + ttl + 500;
  await expect
    .poll(() => Date.now(), { message: 'the code to expire', timeout: ttl + 10_000, intervals: [250] })
    .toBeGreaterThan(expiredAfter);

  await loginPage.enterCode(code);
  await expect(loginPage.alert()).toHaveText(texts.pattern('notice-expired'));
  await expect(page).toHaveURL(atLoginPage());

  // The cooldown (2 s) is over by now, so a new code can be sent right away.
  await loginPage.resend();
  const newCode = await outbox.waitForNewCode(contact.email, 1);
  await loginPage.enterCode(newCode);

  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.heading).toBeVisible();
});
