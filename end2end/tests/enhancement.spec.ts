import type { Page, Request } from '@playwright/test';
import { expect, test } from './fixtures/test';
import { atLoginPage } from './fixtures/urls';

/** Marks the current document, so a full reload (a new document) can be told apart. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __marker?: number }).__marker = 1;
  });
}

async function marker(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as { __marker?: number }).__marker);
}

/** Records the main frame's document (navigation) requests from now on. */
function recordDocumentRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request: Request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) urls.push(request.url());
  });
  return urls;
}

test.describe('with JavaScript, the login page works in place', () => {
  test('sending a code and entering a wrong one do not reload the page', async ({
    page,
    newContact,
    outbox,
    loginPage,
  }) => {
    const contact = newContact();
    await loginPage.goto();
    await loginPage.waitForScript();
    await markDocument(page);
    const documentRequests = recordDocumentRequests(page);

    await loginPage.requestCode(contact.email);
    await loginPage.expectStep2();
    expect(await marker(page)).toBe(1);

    const code = await outbox.latestCode(contact.email);
    await loginPage.enterCode(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await expect(loginPage.alert()).toContainText(/attempts left/i);
    expect(await marker(page)).toBe(1);

    await expect(page).toHaveURL(atLoginPage());
    expect(documentRequests).toEqual([]);
  });

  test('"Send a new code" counts down, then sends a new code without reloading', async ({
    page,
    newContact,
    outbox,
    loginPage,
    messagesPage,
  }) => {
    const contact = newContact();
    await loginPage.goto();
    await loginPage.waitForScript();
    await markDocument(page);

    await loginPage.requestCode(contact.email);
    await expect(loginPage.resendButton).toBeDisabled();
    await expect(loginPage.resendButton).toHaveText(/^\s*Send a new code \(\d+ s\)\s*$/);

    // Watch the button until the cooldown is over, noting each text it shows.
    const texts: string[] = [];
    await expect
      .poll(
        async () => {
          const [text, enabled] = await Promise.all([
            loginPage.resendButton.innerText(),
            loginPage.resendButton.isEnabled(),
          ]);
          const normalised = text.replace(/\s+/g, ' ').trim();
          if (texts.at(-1) !== normalised) texts.push(normalised);
          return enabled;
        },
        { message: 'the "Send a new code" button to become enabled', timeout: 15_000, intervals: [100] },
      )
      .toBe(true);

    const seconds = texts
      .map((text) => /\((\d+)\s*s\)/.exec(text)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    const first = seconds[0] ?? 0;
    expect(first, `texts seen: ${JSON.stringify(texts)}`).toBeGreaterThan(0);
    // Every second from the first one seen down to 1, in order.
    expect(seconds, `texts seen: ${JSON.stringify(texts)}`).toEqual(
      Array.from({ length: first }, (_, i) => first - i),
    );
    await expect(loginPage.resendButton).toHaveAccessibleName('Send a new code');
    expect(await marker(page)).toBe(1);

    await outbox.latestCode(contact.email);
    await loginPage.resend();
    const newCode = await outbox.waitForNewCode(contact.email, 1);
    expect(await marker(page)).toBe(1);

    await loginPage.enterCode(newCode);
    await expect(messagesPage.heading).toBeVisible();
  });
});
