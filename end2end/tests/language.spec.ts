import { publishNewMessage } from './fixtures/cli';
import { ORGANISATION } from './fixtures/servers';
import { expect, test } from './fixtures/test';
import { atLoginPage, atPath } from './fixtures/urls';

/** "14.05": a moment as Danish writes it, in Copenhagen. */
function copenhagenClock(at: Date): string {
  return new Intl.DateTimeFormat('da-DK', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(at)
    .replace(':', '.');
}

test.describe('a contact whose browser prefers Danish', () => {
  test.use({ locale: 'da-DK' });

  test('reads every step and the code in Danish, with Copenhagen times', async ({ page, newContact, outbox, loginPage }) => {
    const contact = newContact();
    const message = publishNewMessage(contact);

    await page.goto(message.path);
    await expect(page).toHaveURL(atLoginPage(message.path));
    await expect(page.locator('html')).toHaveAttribute('lang', 'da');
    await expect(page).toHaveTitle(`Log ind · ${ORGANISATION}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Log ind', exact: true })).toBeVisible();
    await expect(page.getByLabel('E-mail eller mobilnummer')).toBeVisible();
    await expect(page.getByRole('group', { name: 'Send koden som' })).toBeVisible();

    await loginPage.requestCode(contact.email);
    await expect(page.getByText(/er en bekræftelseskode på 6 cifre på vej\. Den gælder i 10 minutter\./)).toBeVisible();
    await expect(page.getByText('Har du ikke fået en kode?', { exact: true })).toBeVisible();

    const sent = await outbox.latestCodeMessage(contact.email);
    expect(sent.subject).toMatch(new RegExp(`^\\d{6} er din kode til at logge ind hos ${ORGANISATION}$`));
    const code = /^(\d{6}) er din kode til at logge ind hos /.exec(sent.body)?.[1];
    if (!code) throw new Error(`the email does not start with its code: ${sent.body}`);
    // Requested at the minute the outbox says, on Copenhagen's clock, named as such.
    expect(sent.body).toMatch(new RegExp(`bestilt \\d{1,2}\\. [a-zæøå]+ \\d{4} kl\\. ${copenhagenClock(new Date(sent.created_at))} \\((CET|CEST)\\)`));
    expect(sent.body).toContain('Beder du igen, får du den samme kode');

    await loginPage.enterCode(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await expect(loginPage.alert()).toHaveText('Koden er forkert. Du har 4 forsøg tilbage.');

    await loginPage.enterCode(code);
    await expect(page).toHaveURL(atPath(message.path));
    await expect(page.getByText('Du er logget ind. Denne browser husker dig', { exact: false })).toBeVisible();
    await expect(page.getByRole('link', { name: '← Alle beskeder' })).toBeVisible();
    await expect(page.getByText(/^Sendt i dag kl\. \d\d\.\d\d$/)).toBeVisible();
  });

  test('can switch to English, which the browser remembers, and back', async ({ page }) => {
    await page.goto('/help');
    await expect(page.getByRole('heading', { level: 1, name: 'Hjælp til at logge ind' })).toBeVisible();
    const switcher = page.getByRole('form', { name: 'Sprog' });
    await expect(switcher.getByRole('button', { name: 'Dansk' })).toHaveAttribute('aria-current', 'true');

    await switcher.getByRole('button', { name: 'English' }).click();
    await expect(page).toHaveURL(atPath('/help'));
    await expect(page.getByRole('heading', { level: 1, name: 'Help with logging in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // Remembered: another page, in the same browser, is English too.
    await page.goto('/login');
    await expect(page.getByRole('heading', { level: 1, name: 'Log in', exact: true })).toBeVisible();

    await page.getByRole('form', { name: 'Language' }).getByRole('button', { name: 'Dansk' }).click();
    await expect(page).toHaveURL(atLoginPage());
    await expect(page.getByRole('heading', { level: 1, name: 'Log ind', exact: true })).toBeVisible();
  });
});
