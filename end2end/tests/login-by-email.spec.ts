import { publishNewMessage } from './fixtures/cli';
import { ORGANISATION } from './fixtures/servers';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

test.describe('logging in with a code sent by email', () => {
  test('opening a message link leads through the login page back to the message', async ({
    page,
    newContact,
    outbox,
    loginPage,
    messagePage,
    texts,
  }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);

    await page.goto(message.path);
    await expect(page).toHaveURL(atLoginPage(message.path));
    await expect(loginPage.heading).toBeVisible();
    // Whose portal it is, as the email and text message name it.
    await expect(page).toHaveTitle(`${texts.t('login-title')} · ${ORGANISATION}`);
    await expect(page.getByText(ORGANISATION, { exact: true })).toBeVisible();
    await expect(loginPage.channelGroup).toBeVisible();
    await expect(loginPage.emailRadio).toBeChecked();
    await expect(loginPage.smsRadio).not.toBeChecked();

    await loginPage.requestCode(contact.email);
    await loginPage.expectStep2();
    await expect(loginPage.rememberNotice).toBeVisible();
    await expect(loginPage.switchToSmsButton).toBeVisible();
    await expect(loginPage.differentIdentifierButton).toBeVisible();
    await expect(loginPage.noCodeHelp).toBeVisible();

    const sent = await outbox.latestCodeMessage(contact.email);
    expect(sent.channel).toBe('email');
    expect(sent.to).toBe(contact.email);
    expect(await outbox.codeMessagesTo(contact.phoneE164)).toEqual([]);

    await loginPage.enterCode(sent.code);

    await expect(page).toHaveURL(atPath(message.path));
    await expect(messagePage.title(message.title)).toBeVisible();
    // The Markdown body is rendered as HTML, not shown as source.
    await expect(messagePage.bodyHeading).toBeVisible();
    await expect(page.getByText(`## ${message.bodyHeading}`)).toHaveCount(0);
    await expect(page.getByText(texts.t('remembered').split('. ')[1]).first()).toBeVisible();
  });

  test('the email address is matched case-insensitively', async ({ page, newContact, outbox, loginPage, messagesPage }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);

    await loginPage.goto();
    await loginPage.requestCode(contact.email.toUpperCase());

    // The outbox reports the normalised (lowercase) address.
    const code = await outbox.latestCode(contact.email);
    await loginPage.enterCode(code);

    await expect(page).toHaveURL(atPath('/'));
    await expect(messagesPage.heading).toBeVisible();
    await expect(messagesPage.messageLink(message.title)).toBeVisible();
  });
});
