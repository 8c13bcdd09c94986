import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SECRETS_FILE, SERVERS, WORKSPACE_ROOT } from './tests/fixtures/servers';
import { mailText, receivedMail } from './tests/fixtures/smtp';

/**
 * After the whole run: no code and no cookie value the run produced may appear in
 * the servers' logs (which ran at debug level). Fails the run when one does.
 */
export default async function checkLogsForSecrets(): Promise<void> {
  const codes = new Set<string>();
  for (const server of SERVERS) {
    const response = await fetch(`${server.baseURL}/dev/outbox.json`);
    if (!server.devOutbox) {
      // A server that delivers for real has no dev outbox: its codes are in the SMTP sink.
      if (response.status !== 404) throw new Error(`secrets check: ${server.name} has a dev outbox it should not have`);
      continue;
    }
    if (!response.ok) throw new Error(`secrets check: ${server.name} outbox answered ${response.status}`);
    const messages = (await response.json()) as { body: string }[];
    for (const m of messages) for (const match of m.body.matchAll(/\b\d{6}\b/g)) codes.add(match[0]);
  }
  // Codes that went out by SMTP rather than to a dev outbox.
  for (const mail of receivedMail()) {
    const body = mailText(mail).split('\r\n\r\n').slice(1).join('\n');
    for (const match of body.matchAll(/\b\d{6}\b/g)) codes.add(match[0]);
  }
  const cookies = new Set<string>();
  if (existsSync(SECRETS_FILE)) {
    for (const line of readFileSync(SECRETS_FILE, 'utf8').split('\n').filter(Boolean)) {
      for (const value of JSON.parse(line) as string[]) cookies.add(value);
    }
  }
  const logs = SERVERS.map((s) => readFileSync(path.join(WORKSPACE_ROOT, s.logFile), 'utf8')).join('\n');
  if (logs.length === 0) throw new Error('secrets check: the server logs are empty; is logging on?');
  if (codes.size + cookies.size === 0) {
    console.log('secrets check: this run made no codes or cookies to look for');
    return;
  }
  // A code is six digits: match it as a token of its own, not inside the fractional
  // seconds of a timestamp or a duration (".123456"), where it may appear by chance.
  const codeIn = (code: string) => new RegExp(`(?<![\\d.:])${code}(?!\\d)`).test(logs);
  const leaked = [...[...codes].filter(codeIn), ...[...cookies].filter((c) => logs.includes(c))];
  if (leaked.length > 0) {
    throw new Error(`secrets found in the server logs: ${leaked.length} (first: ${leaked[0].slice(0, 3)}…)`);
  }
  console.log(`secrets check: ${codes.size} codes and ${cookies.size} cookie values, none in ${logs.length} bytes of server log`);
}
