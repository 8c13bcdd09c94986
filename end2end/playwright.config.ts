import { defineConfig } from '@playwright/test';
import { MAIN_SERVER, SERVERS, SMTP_SINK, WORKSPACE_ROOT, serveCommand, smtpSinkCommand } from './tests/fixtures/servers';

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
      use: {
        browserName: 'chromium',
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
      },
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
