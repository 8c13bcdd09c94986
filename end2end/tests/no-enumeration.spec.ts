import type { Page } from '@playwright/test';
import { uniqueEmail, type Channel } from './fixtures/cli';
import { LoginPage } from './fixtures/login-page';
import type { Outbox } from './fixtures/outbox';
import { expect, test } from './fixtures/test';

/**
 * Whether an address is registered (or can receive codes on the chosen channel)
 * must not show: step 2 looks the same, only nothing is sent.
 */

/** Step 2's main region as text, with the typed identifier and the countdown normalised. */
async function step2Text(page: Page, identifier: string, channel: Channel, javaScriptEnabled: boolean): Promise<string> {
  const login = new LoginPage(page, javaScriptEnabled);
  await login.goto();
  await login.requestCode(identifier, channel);
  await login.expectStep2();
  const text = await page.getByRole('main').innerText();
  return text
    .split(identifier)
    .join('<identifier>')
    .replace(/\(\s*\d+\s*s\s*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Number of outbox messages to each address. */
async function outboxCounts(outbox: Outbox, addresses: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const address of addresses) counts[address] = (await outbox.messagesTo(address)).length;
  return counts;
}

test.describe('nobody can find out who is registered', () => {
  test('an unregistered email address sees the same page as a registered one, and nothing is sent', async ({
    page,
    newContact,
    outbox,
    newBrowserContext,
    javaScriptEnabled,
  }) => {
    const stranger = uniqueEmail();
    const before = await outboxCounts(outbox, [stranger]);
    const probe = await step2Text(page, stranger, 'email', javaScriptEnabled);

    const registered = newContact();
    const baselinePage = await (await newBrowserContext()).newPage();
    const baseline = await step2Text(baselinePage, registered.email, 'email', javaScriptEnabled);
    // The registered contact's code arrives; the stranger's would have arrived by now too.
    await outbox.latestCode(registered.email);

    expect(probe).toBe(baseline);
    expect(await outboxCounts(outbox, [stranger])).toEqual(before);
  });

  test('a contact who opted out of email sees the same page when asking by email, and nothing is sent', async ({
    page,
    newContact,
    outbox,
    newBrowserContext,
    javaScriptEnabled,
  }) => {
    const optedOut = newContact({ optOut: ['email'] });
    const addresses = [optedOut.email, optedOut.phoneE164];
    const before = await outboxCounts(outbox, addresses);
    const probe = await step2Text(page, optedOut.email, 'email', javaScriptEnabled);

    const registered = newContact();
    const baselinePage = await (await newBrowserContext()).newPage();
    const baseline = await step2Text(baselinePage, registered.email, 'email', javaScriptEnabled);
    await outbox.latestCode(registered.email);

    expect(probe).toBe(baseline);
    expect(await outboxCounts(outbox, addresses)).toEqual(before);
  });

  test('a contact without a phone sees the same page when asking for a text message, and nothing is sent', async ({
    page,
    newContact,
    outbox,
    newBrowserContext,
    javaScriptEnabled,
  }) => {
    const noPhone = newContact({ phone: false });
    // noPhone.phoneE164 is a number nobody registered; nothing may go there either.
    const addresses = [noPhone.email, noPhone.phoneE164];
    const before = await outboxCounts(outbox, addresses);
    const probe = await step2Text(page, noPhone.email, 'sms', javaScriptEnabled);

    const registered = newContact();
    const baselinePage = await (await newBrowserContext()).newPage();
    const baseline = await step2Text(baselinePage, registered.email, 'sms', javaScriptEnabled);
    await outbox.latestCode(registered.phoneE164);

    expect(probe).toBe(baseline);
    expect(await outboxCounts(outbox, addresses)).toEqual(before);
  });
});
