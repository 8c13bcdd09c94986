import { defineConfig } from '@playwright/test';
import { MAIN_SERVER, SERVERS, SMTP_SINK, WORKSPACE_ROOT, serveCommand, smtpSinkCommand } from './tests/fixtures/servers';

/** Debian's Chromium, as every project runs it. */
const CHROMIUM = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

/** The stories run in both languages: the whole login, its refusals, coming back, and the pages' fit and accessibility. */
const DANISH_STORIES = [
  /login-by-email\.spec\.ts/,
  /login-by-sms\.spec\.ts/,
  /wrong-codes\.spec\.ts/,
  /older-code\.spec\.ts/,
  /expired-code\.spec\.ts/,
  /returning-browser\.spec\.ts/,
  /new-browser-context\.spec\.ts/,
  /no-javascript\.spec\.ts/,
  /unpublished-message\.spec\.ts/,
  // The support reference a contact reads out, in their language.
  /support-reference\.spec\.ts/,
  // Danish is longer: it must fit a phone and pass the same accessibility checks.
  /accessibility\.spec\.ts/,
  /mobile-layout\.spec\.ts/,
];

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: MAIN_SERVER.baseURL,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: { ...CHROMIUM, locale: 'en-US' },
    },
    {
      // The main login stories again, in a browser that prefers Danish
      // (Accept-Language: da-DK): the page objects find everything by its Danish name.
      name: 'chromium-da',
      use: { ...CHROMIUM, locale: 'da-DK' },
      testMatch: DANISH_STORIES,
    },
  ],
  // The server serves target/site, so it must run from the workspace root.
  webServer: [
    // The SMTP server the "smtp" portal sends to: listed first, so it is up first.
    { name: 'smtp-sink', command: smtpSinkCommand(), port: SMTP_SINK.port, reuseExistingServer: false, timeout: 60_000 },
    ...SERVERS.map((server) => ({
      name: server.name,
      command: serveCommand(server),
      cwd: WORKSPACE_ROOT,
      url: `${server.baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe' as const,
      env: { ...server.env },
    })),
  ],
});
