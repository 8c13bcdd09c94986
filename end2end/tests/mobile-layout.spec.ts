import { publishNewMessage } from './fixtures/cli';
import { expectMobileFriendly } from './fixtures/layout';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

// A small Android phone.
test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

test.describe('on a small phone screen', () => {
  test('both login steps fit the screen and have big enough touch targets', async ({ page, newContact, loginPage }) => {
    const contact = newContact();

    await loginPage.goto();
    await loginPage.expectStep1();
    await expect(loginPage.smsRadio).toBeAttached();
    await expectMobileFriendly(page);

    await loginPage.requestCode(contact.email);
    await loginPage.expectStep2();
    await expect(loginPage.switchChannelButton).toBeVisible();
    await expectMobileFriendly(page);
  });

  test('the messages page and a message fit the screen and have big enough touch targets', async ({
    page,
    newContact,
    outbox,
    loginPage,
    messagesPage,
    messagePage,
  }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);
    await loginPage.logInAs(contact, outbox);

    await expect(messagesPage.messageLink(message.title)).toBeVisible();
    await expect(messagesPage.logOutButton).toBeVisible();
    await expectMobileFriendly(page);

    await messagePage.goto(message.id);
    await expect(page).toHaveURL(atPath(message.path));
    await expect(messagePage.title(message.title)).toBeVisible();
    await expectMobileFriendly(page);
  });

  test('the help page fits the screen and has big enough touch targets', async ({ page, texts }) => {
    await page.goto('/help');
    await expect(page.getByRole('heading', { level: 1, name: texts.t('help-title'), exact: true })).toBeVisible();
    await expectMobileFriendly(page);
  });
});
