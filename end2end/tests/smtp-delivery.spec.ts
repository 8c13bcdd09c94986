import { SMTP_SERVER } from './fixtures/servers';
import { mailText, waitForMailTo } from './fixtures/smtp';
import { expect, test } from './fixtures/test';

// This story runs against the portal configured with PORTAL_DELIVERY=smtp.
test.use({ baseURL: SMTP_SERVER.baseURL });

test('a code asked for in the browser arrives at a real SMTP server, and logs in', async ({
  newContact,
  loginPage,
  messagesPage,
}) => {
  const contact = newContact();
  await loginPage.goto();
  await loginPage.requestCode(contact.email);
  await loginPage.expectStep2();

  const mail = mailText(await waitForMailTo(contact.email));
  expect(mail).toContain('Subject: Contact portal: your confirmation code');
  expect(mail).toContain('Auto-Submitted: auto-generated');
  expect(mail).toMatch(/multipart\/alternative/);
  const code = /\b(\d{6})\b/.exec(mail.split('\r\n\r\n').slice(1).join('\n'))?.[1];
  expect(code, 'a 6-digit code in the body').toBeDefined();

  await loginPage.enterCode(code ?? '');
  await expect(messagesPage.heading).toBeVisible();
});
