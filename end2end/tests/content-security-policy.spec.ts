import { expect, test } from './fixtures/test';

/** Records every CSP violation a page reports, from before its first script. */
function recordViolations(): void {
  const w = window as unknown as { __cspViolations: string[] };
  w.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`);
  });
}

async function violations(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

test("the card's script runs under a strict policy with a fresh nonce, and reports no violation", async ({
  page,
  newContact,
  outbox,
  loginPage,
  messagesPage,
}) => {
  await page.addInitScript(recordViolations);
  const first = await loginPage.goto();
  const policy = first?.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_\-+/=]{16,}' 'wasm-unsafe-eval'/);
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("frame-ancestors 'none'");
  await loginPage.waitForScript();

  const again = await page.request.get('/login');
  expect(again.headers()['content-security-policy']).not.toBe(policy);

  expect(await violations(page)).toEqual([]);

  const contact = newContact();
  await loginPage.completeLogin(contact, outbox);
  await expect(messagesPage.heading).toBeVisible();
  expect(await violations(page)).toEqual([]);
});
