import { expectNoSeriousA11yViolations } from './fixtures/axe';
import { adminDesk, search } from './fixtures/admin-desk';
import { LoginPage } from './fixtures/login-page';
import { expect, test } from './fixtures/test';
import { atLoginPage } from './fixtures/urls';

test('an administrator reads why a contact cannot log in, opts them back in and forgets their browser', async ({
  page,
  newContact,
  outbox,
  loginPage,
  newBrowserContext,
  javaScriptEnabled,
}) => {
  // The contact: logged in by email on a laptop, and trying text messages, which
  // they opted out of, on a phone.
  const contact = newContact({ optOut: ['sms'] });
  await loginPage.logInAs(contact, outbox);
  await page.goto('/');
  await expect(page).toHaveURL('/');
  const phone = await (await newBrowserContext()).newPage();
  const phoneLogin = new LoginPage(phone, javaScriptEnabled);
  await phoneLogin.goto('/');
  await phoneLogin.requestCode(contact.phone, 'sms');

  // The administrator, in a browser of their own.
  const desk = await adminDesk(newBrowserContext);
  await search(desk, contact.phone);
  await desk.getByRole('link', { name: contact.name }).click();

  await expect(desk.getByRole('heading', { name: 'Login diagnosis' })).toBeVisible();
  const diagnosis = desk.getByRole('region', { name: 'Login diagnosis' });
  await expect(diagnosis).toContainText('Opted out of communication by text message');
  await expectNoSeriousA11yViolations(desk, 'The contact card');

  // Usable on a phone: nothing wider than 360 px.
  await desk.setViewportSize({ width: 360, height: 740 });
  const overflow = await desk.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'horizontal scrolling at 360 px').toBeLessThanOrEqual(0);

  // The fix sits beside the finding.
  await diagnosis.getByRole('button', { name: 'Opt back in to text message' }).click();
  await expect(desk.getByRole('region', { name: 'Addresses' })).toContainText(`${contact.phoneE164} (receives codes)`);
  await expect(diagnosis).not.toContainText('Opted out of communication by text message');

  await desk.getByRole('button', { name: 'Forget every browser' }).click();
  await expect(desk.getByRole('region', { name: 'Trusted browsers' })).toContainText('No browser is remembered');

  // The laptop needs a new code now.
  await page.goto('/');
  await expect(page).toHaveURL(atLoginPage('/'));
});
