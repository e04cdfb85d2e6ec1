/**
 * Seals the key that encrypts notes and call records at rest with Electron's
 * safeStorage (the OS keychain), so the key file next to the data opens only for this
 * user on this machine. Where safeStorage has no real keychain (Linux `basic_text`),
 * there is no sealer and the history stays in the clear: a key stored next to the data
 * in plain text would only pretend to protect it.
 */
import { safeStorage } from 'electron';
import type { KeySealer } from '../core/storage/files/data-key';

export function createSafeStorageKeySealer(): KeySealer | undefined {
  const available = safeStorage.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  if (!available) return undefined;
  return {
    name: 'electron-safeStorage',
    // safeStorage seals strings: the key travels as base64.
    seal: (key) => safeStorage.encryptString(Buffer.from(key).toString('base64')),
    open: (sealed) => Buffer.from(safeStorage.decryptString(Buffer.from(sealed)), 'base64'),
  };
}
