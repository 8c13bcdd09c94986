import { expectNoSeriousA11yViolations } from './fixtures/axe';
import { DEFAULT_IGNORED_CONSOLE_ERRORS, FORBIDDEN_RESOURCE_ERROR } from './fixtures/browser-errors';
import { publishNewMessage } from './fixtures/cli';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

test.describe('no serious or critical accessibility violations', () => {
  test('login, step 1', async ({ page, loginPage }) => {
    await loginPage.goto('/');
    await loginPage.expectStep1();
    await expect(loginPage.channelGroup).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'Login step 1');
  });

  test('login, step 2 with an error message', async ({ page, newContact, outbox, loginPage, texts }) => {
    const contact = newContact();
    await loginPage.goto('/');
    await loginPage.requestCode(contact.email);
    const code = await outbox.latestCode(contact.email);
    await loginPage.enterCode(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await expect(loginPage.alert()).toHaveText(texts.t('notice-wrong-code', { attempts: 4 }));
    await loginPage.expectStep2();
    await expectNoSeriousA11yViolations(page, 'Login step 2 with an alert');
  });

  test('messages page', async ({ page, newContact, outbox, loginPage, messagesPage }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);
    await loginPage.logInAs(contact, outbox);
    await expect(messagesPage.messageLink(message.title)).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'The messages page');
  });

  test('message page', async ({ page, newContact, outbox, loginPage, messagePage }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);
    await loginPage.logInAs(contact, outbox, { next: message.path });
    await expect(messagePage.title(message.title)).toBeVisible();
    await expect(messagePage.bodyHeading).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'A message page');
  });

  test.describe('the "not published to you" page', () => {
    // The 403 document itself makes Chromium log "Failed to load resource ... 403".
    test.use({ ignoredConsoleErrors: { patterns: [...DEFAULT_IGNORED_CONSOLE_ERRORS, FORBIDDEN_RESOURCE_ERROR] } });

    test('403 page', async ({ page, newContact, outbox, loginPage, messagePage }) => {
      const contact = newContact();
      const someoneElse = newContact();
      const message = publishNewMessage(someoneElse);
      await loginPage.logInAs(contact, outbox);
      const response = await messagePage.goto(message.id);
      expect(response?.status()).toBe(403);
      await expect(page).toHaveURL(atPath(message.path));
      await expect(messagePage.notPublishedHeading).toBeVisible();
      await expectNoSeriousA11yViolations(page, 'The "not published to you" page');
    });
  });

  test('help page', async ({ page, texts }) => {
    await page.goto('/help');
    await expect(page.getByRole('heading', { level: 1, name: texts.t('help-title'), exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page, 'The help page');
  });
});
