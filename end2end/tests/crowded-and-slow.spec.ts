import { adminDesk, search } from './fixtures/admin-desk';
import type { Page } from '@playwright/test';
import { EDGE_SERVER, SMTP_SINK } from './fixtures/servers';
import { mailText, waitForMailTo } from './fixtures/smtp';
import { expect, test } from './fixtures/test';

// The server at the edges: 3 "Send code" requests an hour per network, codes that
// live 8 s, email by a real SMTP server that is slow for one domain. Each story comes
// from networks of its own (X-Forwarded-For from this machine, a trusted proxy).
test.use({ baseURL: EDGE_SERVER.baseURL });

/** A network of this run's own: a documentation address (RFC 5737), at random. */
function network(): string {
  return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
}

async function from(page: Page, ip: string): Promise<void> {
  await page.context().setExtraHTTPHeaders({ 'X-Forwarded-For': ip });
}

async function openCard(desk: Page, contact: { email: string; name: string }): Promise<void> {
  await desk.goto('/admin');
  await search(desk, contact.email);
  await desk.getByRole('link', { name: contact.name }).click();
  await expect(desk.getByRole('heading', { level: 1, name: contact.name })).toBeVisible();
}

test('a contact refused on a crowded network is shown so on their card, and a contact who is not is not', async ({
  page,
  newContact,
  loginPage,
  texts,
  newBrowserContext,
}) => {
  const [earlier, refused] = [newContact({ phone: false }), newContact({ phone: false })];
  const crowded = network();
  await from(page, crowded);

  // A shared network (a VPN exit, an office) uses its 3 requests of the hour: one of
  // them a contact's own, which goes through.
  await loginPage.goto();
  await loginPage.requestCode(earlier.email);
  // Other people on it, in other browsers (the login in progress is per browser).
  for (const stranger of ['nobody-1@example.com', 'nobody-2@example.com']) {
    await page.context().clearCookies();
    await loginPage.goto();
    await loginPage.requestCode(stranger);
  }
  // The next contact on that network is refused, and told why, with a reference.
  await page.context().clearCookies();
  await loginPage.goto();
  await loginPage.identifier.fill(refused.email);
  await loginPage.sendCodeButton.click();
  await expect(loginPage.alert()).toHaveText(texts.t('notice-network-limited'));

  const desk = await adminDesk(newBrowserContext, EDGE_SERVER.databaseUrl);
  await openCard(desk, refused);
  const diagnosis = desk.getByRole('region', { name: 'Login diagnosis' });
  await expect(diagnosis).toContainText('Their network was refused for too many requests in an hour.');
  await expect(diagnosis).toContainText(`its network ${crowded} had made 3 code requests in the hour (limit 3)`);
  await openCard(desk, earlier);
  await expect(desk.getByRole('region', { name: 'Login diagnosis' })).not.toContainText('refused');
});

test('a code the mail server held until after it expired is found on the card as arrived late', async ({
  page,
  newContact,
  loginPage,
  texts,
  newBrowserContext,
}) => {
  const contact = newContact({ phone: false, emailDomain: SMTP_SINK.slowDomain });
  await from(page, network());
  await loginPage.goto();
  await loginPage.requestCode(contact.email);

  // The mail server takes it only after the code's 8 seconds; typed at once, it has expired.
  const mail = mailText(await waitForMailTo(contact.email));
  const code = /(\d{6}) is your login code/.exec(mail)?.[1] ?? '';
  await loginPage.enterCode(code);
  await expect(loginPage.alert()).toHaveText(texts.pattern('notice-expired'));

  const desk = await adminDesk(newBrowserContext, EDGE_SERVER.databaseUrl);
  await openCard(desk, contact);
  const diagnosis = desk.getByRole('region', { name: 'Login diagnosis' });
  await expect(diagnosis).toContainText(/The code arrived after it expired \(a delay of \d+ seconds at the mail server\)\./);
  await expect(diagnosis).not.toContainText('spam or junk folder');
});
