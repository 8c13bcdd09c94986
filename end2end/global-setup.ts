import { rmSync } from 'node:fs';
import { SECRETS_FILE } from './tests/fixtures/servers';

/** Each run notes its own secrets (see global-teardown.ts). */
export default function forgetEarlierSecrets(): void {
  rmSync(SECRETS_FILE, { force: true });
}
