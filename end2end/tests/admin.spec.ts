import { expectNoSeriousA11yViolations } from './fixtures/axe';
import { newAdmin } from './fixtures/cli';
import { noteCookies, noteSecrets } from './fixtures/secrets';
import { expect, test } from './fixtures/test';

test('an administrator logs in, finds a contact by the number they would type, and logs out', async ({ page, newContact }) => {
  const admin = newAdmin();
  noteSecrets([admin.password]);
  const contact = newContact({ optOut: ['sms'] });

  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByRole('heading', { name: 'Administrator log-in' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'Administrator log-in');

  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or the password is not right.');

  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Contacts' })).toBeVisible();
  // The session cookie joins the secrets the server logs are searched for.
  await noteCookies(page.context());

  await page.getByLabel('Find a contact by name, email, phone number or support reference').fill(contact.phone);
  await page.getByRole('button', { name: 'Search' }).click();
  const found = page.getByRole('listitem').filter({ hasText: contact.name });
  await expect(found).toHaveCount(1);
  await expect(found).toContainText(`${contact.phoneE164} (opted out)`);
  await expectNoSeriousA11yViolations(page, 'The contact list');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/login$/);
});
