import { adminDesk, search } from './fixtures/admin-desk';
import { expectNoSeriousA11yViolations } from './fixtures/axe';
import type { Page } from '@playwright/test';
import { ORGANISATION, SMTP_SERVER, SMTP_SINK } from './fixtures/servers';
import { mailText, waitForMailTo } from './fixtures/smtp';
import { expect, test } from './fixtures/test';

// "Is it us or them?": against the portal that sends email to a real SMTP server,
// which defers every message to one domain.
test.use({ baseURL: SMTP_SERVER.baseURL });

/** Opens a contact's card from the search, as an administrator does. */
async function openCard(desk: Page, contact: { email: string; name: string }): Promise<void> {
  await desk.goto('/admin');
  await search(desk, contact.email);
  await desk.getByRole('link', { name: contact.name }).click();
  await expect(desk.getByRole('heading', { level: 1, name: contact.name })).toBeVisible();
}

test('a test message from the card shows accepted with the SMTP server’s answer', async ({ newContact, newBrowserContext }) => {
  const contact = newContact({ phone: false });
  const desk = await adminDesk(newBrowserContext, SMTP_SERVER.databaseUrl);
  await openCard(desk, contact);

  await desk.getByRole('button', { name: 'Send a test email' }).click();
  const tests = desk.getByRole('region', { name: 'Test messages' });
  await expect(tests).toContainText(`test by email to ${contact.email}`);
  // The card looks again by itself until the server has answered.
  await expect(tests).toContainText('Accepted by the mail server', { timeout: 15_000 });
  await expect(tests.getByText('250 Message accepted')).toBeVisible();

  const mail = mailText(await waitForMailTo(contact.email));
  expect(mail).toContain(`Subject: Test message from ${ORGANISATION}`);
  expect(mail).toContain(`This is a test from ${ORGANISATION}, sent at`);
  expect(mail).not.toMatch(/\b\d{6}\b/);
  await expectNoSeriousA11yViolations(desk, 'The contact card with a test message');
});

test('a mail server deferring one domain turns it red, and a contact there is told it is not them', async ({
  newContact,
  loginPage,
  newBrowserContext,
}) => {
  const domain = SMTP_SINK.deferredDomain;
  const [asking, first, second] = [1, 2, 3].map(() => newContact({ phone: false, emailDomain: domain }));
  const elsewhere = newContact({ phone: false });

  // A contact at that domain asks for a code: the page says it was sent, as always.
  await loginPage.goto();
  await loginPage.requestCode(asking.email);
  await loginPage.expectStep2();

  // The administrator tests two more addresses there: the server defers them.
  const desk = await adminDesk(newBrowserContext, SMTP_SERVER.databaseUrl);
  for (const contact of [first, second]) {
    await openCard(desk, contact);
    await desk.getByRole('button', { name: 'Send a test email' }).click();
    const tests = desk.getByRole('region', { name: 'Test messages' });
    await expect(tests).toContainText('Deferred by the mail server; trying again', { timeout: 15_000 });
    await expect(tests).toContainText('451');
  }

  // Mail to another domain goes through.
  await openCard(desk, elsewhere);
  await desk.getByRole('button', { name: 'Send a test email' }).click();
  await expect(desk.getByRole('region', { name: 'Test messages' })).toContainText('Accepted by the mail server', { timeout: 15_000 });

  // Delivery health marks the domain, in words as well as colour; other mail is fine.
  await desk.goto('/admin');
  await desk.getByRole('link', { name: 'Delivery health' }).click();
  await expect(desk.getByRole('heading', { level: 1, name: 'Delivery health' })).toBeVisible();
  await expect(desk.getByRole('alert').filter({ hasText: `Mail to ${domain} is in trouble` })).toBeVisible();
  await expect(desk.getByRole('row', { name: new RegExp(`${domain} \\(email\\) in trouble`) })).toBeVisible();
  await expect(desk.getByRole('row', { name: /^example\.com \(email\) last hour/ })).toBeVisible();
  await expect(desk.getByText('Mail to example.com is in trouble')).toHaveCount(0);
  await expectNoSeriousA11yViolations(desk, 'Delivery health');

  // The contact who asked: their card says it is the mail server, not them.
  await openCard(desk, asking);
  const diagnosis = desk.getByRole('region', { name: 'Login diagnosis' });
  await expect(diagnosis).toContainText(`Mail to ${domain} is in trouble`);
  await expect(diagnosis).toContainText('it is not them');
  // A contact elsewhere is not.
  await openCard(desk, elsewhere);
  await expect(desk.getByRole('region', { name: 'Login diagnosis' })).not.toContainText('is in trouble');
});
