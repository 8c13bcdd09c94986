import { ORGANISATION, SMTP_SERVER } from './fixtures/servers';
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
  expect(mail).toMatch(new RegExp(`Subject: \\d{6} is your login code for ${ORGANISATION}`));
  expect(mail).toContain(`From: "${ORGANISATION}" <portal@example.com>`);
  expect(mail).toContain('Auto-Submitted: auto-generated');
  // Signed as the deployment says (the integration tests verify such signatures).
  expect(mail).toMatch(/DKIM-Signature: v=1; a=rsa-sha256; d=example\.com; s=e2e; c=relaxed\/relaxed;/);
  expect(mail).toMatch(/multipart\/alternative/);
  // The code opens the text part: what a phone's notification shows first.
  const code = new RegExp(`\\r\\n\\r\\n(\\d{6}) is your login code for ${ORGANISATION}\\.`).exec(mail)?.[1];
  expect(code, 'a 6-digit code in the body').toBeDefined();

  await loginPage.enterCode(code ?? '');
  await expect(messagesPage.heading).toBeVisible();
});
