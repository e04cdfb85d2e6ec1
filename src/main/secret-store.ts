/**
 * The SIP password, encrypted with the OS keychain through Electron's safeStorage.
 * Where safeStorage cannot encrypt (no keyring on a Linux desktop), the password is
 * kept in memory for this run only and the agent is asked again next start: it is
 * never written in clear text.
 */
import { safeStorage } from 'electron';
import type { KeyValueStore, SecretStore } from '../core/settings';

const KEY = 'secrets.sipPassword';

/** A SecretStore on safeStorage, persisted as base64 ciphertext in `store`. */
export function createSafeStorageSecretStore(store: KeyValueStore): SecretStore {
  const persistent = safeStorage.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  let memory: string | undefined;
  return {
    persistent,
    getPassword() {
      if (!persistent) return memory;
      const stored = store.get(KEY);
      if (typeof stored !== 'string' || stored === '') return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(stored, 'base64'));
      } catch {
        return undefined;
      }
    },
    setPassword(password) {
      if (!persistent) {
        memory = password;
        return;
      }
      store.set(KEY, password === '' ? '' : safeStorage.encryptString(password).toString('base64'));
    },
  };
}
