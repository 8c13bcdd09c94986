import { publishNewMessage } from './fixtures/cli';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

test.describe('logging in with a code sent by text message', () => {
  test('typing a local mobile number with spaces and choosing SMS', async ({
    page,
    newContact,
    outbox,
    loginPage,
    messagesPage,
  }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);

    await loginPage.goto();
    // e.g. "21 23 45 67", as people write Danish mobile numbers.
    await loginPage.requestCode(contact.phone, 'sms');
    await loginPage.expectStep2();
    await expect(loginPage.switchToEmailButton).toBeVisible();

    const sent = await outbox.latestCodeMessage(contact.phoneE164);
    expect(sent.channel).toBe('sms');
    expect(sent.to).toBe(contact.phoneE164);
    expect(await outbox.codeMessagesTo(contact.email)).toEqual([]);

    await loginPage.enterCode(sent.code);

    await expect(page).toHaveURL(atPath('/'));
    await expect(messagesPage.heading).toBeVisible();
    await expect(messagesPage.messageLink(message.title)).toBeVisible();
  });

  test('typing the email address and choosing SMS sends the code to the registered phone', async ({
    page,
    newContact,
    outbox,
    loginPage,
    messagesPage,
  }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);

    await loginPage.goto();
    await loginPage.requestCode(contact.email, 'sms');
    await loginPage.expectStep2();
    await expect(loginPage.switchToEmailButton).toBeVisible();

    const sent = await outbox.latestCodeMessage(contact.phoneE164);
    expect(sent.channel).toBe('sms');
    expect(sent.to).toBe(contact.phoneE164);
    expect(await outbox.codeMessagesTo(contact.email)).toEqual([]);

    await loginPage.enterCode(sent.code);

    await expect(page).toHaveURL(atPath('/'));
    await expect(messagesPage.heading).toBeVisible();
    await expect(messagesPage.messageLink(message.title)).toBeVisible();
  });
});
