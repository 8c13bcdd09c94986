import { SHORT_TTL_SERVER } from './fixtures/servers';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

// One code per login: "Send a new code" sends the same code while it works. An earlier
// code appears only once it expired: this server's codes live for 3 seconds.
test.use({ baseURL: SHORT_TTL_SERVER.baseURL });

test('an earlier code is named as such once a new one replaced it, and the new one works', async ({
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
  const codeA = await outbox.latestCode(contact.email);
  await expect
    .poll(() => Date.now(), { message: 'the first code to expire', timeout: ttl + 10_000, intervals: [250] })
    .toBeGreaterThan(sentBy + ttl + 500);

  await loginPage.resend();
  const codeB = await outbox.waitForNewCode(contact.email, 1);

  await loginPage.enterCode(codeA);
  // "That is an earlier code of this login: … a new code was sent by email just now (at 14:05). …"
  await expect(loginPage.alert()).toHaveText(texts.pattern('notice-superseded', { by: texts.t('by-email') }));
  await expect(loginPage.alert()).toContainText(texts.lang === 'da' ? /kl\. \d\d\.\d\d/ : /at \d\d:\d\d/);
  await expect(page).toHaveURL(atLoginPage());
  await expect(loginPage.codeInput).toBeVisible();

  await loginPage.enterCode(codeB);
  await expect(page).toHaveURL(atPath('/'));
  await expect(messagesPage.heading).toBeVisible();
});
