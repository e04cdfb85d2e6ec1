/**
 * Decrypts an encrypted caller export (`<name>.md.enc` or `<name>.json.enc`) to stdout,
 * with the web host's key file (a key sealed by the OS keychain opens only inside the
 * Electron app):
 *
 *   npx tsx scripts/open-export.ts --key-file ~/.config/calmline-web/data-key.json FILE.md.enc > FILE.md
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { exportFileCipher } from '../src/core/storage/callers/caller-export';
import { FileDataKeyProvider } from '../src/core/storage/files/data-key';
import { openSealedFile } from '../src/core/storage/files/file-cipher';

const { values, positionals } = parseArgs({ options: { 'key-file': { type: 'string' } }, allowPositionals: true });
const keyFile = values['key-file'];
const file = positionals[0];
if (!keyFile || !file) {
  console.error('Usage: npx tsx scripts/open-export.ts --key-file <data-key.json> <export file .enc>');
  process.exit(64);
}
try {
  const key = await new FileDataKeyProvider(keyFile).dataKey();
  const plain = openSealedFile(exportFileCipher(key, basename(file)), await readFile(file));
  process.stdout.write(plain);
} catch (error) {
  console.error(
    `Could not open ${file}: ${error instanceof Error ? error.message : String(error)} ` +
      '(a wrong key file, a renamed file, or a changed byte all look the same).',
  );
  process.exit(1);
}
