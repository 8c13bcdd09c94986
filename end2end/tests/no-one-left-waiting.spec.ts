// Issue 23: causes of the help article that used to fail silently.
import { LoginPage } from './fixtures/login-page';
import { expect, test } from './fixtures/test';
import { atPath } from './fixtures/urls';

/** The shapes a code arrives in when a phone pastes it: issue 23's eight. */
const SHAPES: [string, (code: string) => string][] = [
  ['spaced', (c) => `${c.slice(0, 3)} ${c.slice(3)}`],
  ['dashed', (c) => `${c.slice(0, 3)}-${c.slice(3)}`],
  ['dotted', (c) => `${c.slice(0, 3)}.${c.slice(3)}`],
  ['full-width (Japanese and Chinese input)', (c) => [...c].map((d) => String.fromCharCode(0xff10 + Number(d))).join('')],
  ['Arabic-Indic', (c) => [...c].map((d) => String.fromCharCode(0x0660 + Number(d))).join('')],
  ['in a sentence', (c) => `Your code is ${c.slice(0, 3)} ${c.slice(3)}`],
  ['with a no-break space and a tab', (c) => `\u00a0${c.slice(0, 3)}\u00a0${c.slice(3)}\t`],
  ['as the SMS ends', (c) => `#${c}`],
];

for (const locale of ['en-GB', 'da-DK']) {
  test.describe(`a contact whose browser prefers ${locale}`, () => {
    test.use({ locale });

    test('logs in with a code pasted in any of eight shapes', async ({ page, newContact, outbox, loginPage, messagesPage }) => {
      for (const [shape, paste] of SHAPES) {
        const contact = newContact();
        await page.context().clearCookies();
        await loginPage.goto();
        await loginPage.requestCode(contact.email);
        const code = await outbox.latestCode(contact.email);
        await loginPage.enterCode(paste(code));
        await expect(page, `the ${shape} code logs in`).toHaveURL(atPath('/'));
        await expect(messagesPage.heading).toBeVisible();
      }
    });

    test('opted out of email, gets the text message at once from a new window', async ({
      page,
      newContact,
      newBrowserContext,
      outbox,
      loginPage,
      texts,
    }) => {
      const contact = newContact({ optOut: ['email'] });
      await loginPage.goto();
      await loginPage.requestCode(contact.email);
      // Nothing arrives by email; the contact opens a new window and asks by SMS.
      const window = await (await newBrowserContext()).newPage();
      const other = new LoginPage(window, true, texts);
      await other.goto();
      await other.requestCode(contact.phone, 'sms');
      const code = await outbox.latestCode(contact.phoneE164);
      await other.enterCode(code);
      await expect(window).toHaveURL(atPath('/'));
      expect(await outbox.codeCount(contact.email)).toBe(0);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    });

    test('asks on the phone and on the laptop, and logs in on both with the one code received', async ({
      page,
      newContact,
      newBrowserContext,
      outbox,
      loginPage,
      messagesPage,
      texts,
    }) => {
      const contact = newContact();
      await loginPage.goto();
      await loginPage.requestCode(contact.email);
      const code = await outbox.latestCode(contact.email);
      const laptop = await (await newBrowserContext()).newPage();
      const other = new LoginPage(laptop, true, texts);
      await other.goto();
      await other.requestCode(contact.email);
      // Whatever reached the inbox (one message, or the same code again), one code.
      const codes = (await outbox.codeMessagesTo(contact.email)).map((m) => /\d{6}/.exec(m.body)?.[0]);
      expect(new Set(codes)).toEqual(new Set([code]));
      await other.enterCode(code);
      await expect(laptop).toHaveURL(atPath('/'));
      await loginPage.enterCode(code);
      await expect(page).toHaveURL(atPath('/'));
      await expect(messagesPage.heading).toBeVisible();
    });

    test('"Send a new code" twice gives three messages with one code that keeps its first expiry', async ({
      page,
      newContact,
      outbox,
      loginPage,
      messagesPage,
      texts,
    }) => {
      const contact = newContact();
      await loginPage.goto();
      await loginPage.requestCode(contact.email);
      const code = await outbox.latestCode(contact.email);
      for (const seen of [1, 2]) {
        await loginPage.resend();
        await expect(loginPage.status()).toHaveText(texts.t('notice-code-sent'));
        expect(await outbox.waitForNewCode(contact.email, seen), `message ${seen + 1} has the same code`).toBe(code);
      }
      const messages = await outbox.codeMessagesTo(contact.email);
      expect(messages).toHaveLength(3);
      // "… works until 7 December 2026 at 14:15 (CET)": the same moment in all three.
      const until = messages.map((m) => (texts.lang === 'da' ? /virker indtil (.+?)\./ : /works until (.+?)\./).exec(m.body)?.[1]);
      expect(until[0]).toBeTruthy();
      expect(new Set(until).size, `expiries: ${JSON.stringify(until)}`).toBe(1);
      expect(messages[2].body).toContain(texts.lang === 'da' ? 'Det er den samme kode som i vores besked fra' : 'This is the same code as in our message of');
      await loginPage.enterCode(code);
      await expect(page).toHaveURL(atPath('/'));
      await expect(messagesPage.heading).toBeVisible();
    });

    test('is asked "did you mean" for a slipped domain and fixes it in one click', async ({ page, newContact, outbox, loginPage, texts }) => {
      const contact = newContact({ emailDomain: 'gmail.com' });
      const slipped = contact.email.replace('@gmail.com', '@gmial.com');
      await loginPage.goto();
      await loginPage.requestCode(slipped);
      const hint = page.getByRole('note');
      await expect(hint).toContainText(texts.t('did-you-mean', { address: contact.email }));
      await hint.getByRole('button', { name: texts.t('use-suggested', { address: contact.email }) }).click();
      await expect(page.getByRole('note')).toHaveCount(0);
      await expect(page.getByText(contact.email, { exact: true })).toBeVisible();
      const code = await outbox.latestCode(contact.email);
      await loginPage.enterCode(code);
      await expect(page).toHaveURL(atPath('/'));
    });
  });
}
