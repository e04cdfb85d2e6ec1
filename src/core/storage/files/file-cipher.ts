/**
 * Encryption at rest for store files: AES-256-GCM, one random 96-bit IV per write,
 * the whole file sealed at once (a day file is ~70 KB, so there is nothing to gain
 * from streaming). The tag authenticates the contents and `context`, which names
 * what the file is (e.g. the history partition key), so one encrypted file cannot be
 * passed off as another by renaming it.
 *
 * On disk: `CALMENC1` (8 bytes), IV (12), tag (16), ciphertext. A plain JSON store
 * file starts with `{`, so the two never look alike.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The key and context a store file is sealed with. */
export interface FileCipher {
  /** 32 bytes (AES-256). */
  key: Uint8Array;
  /** Additional authenticated data: what the file is, not secret. */
  context: string;
}

/** Bytes of an AES-256 key. */
export const DATA_KEY_BYTES = 32;

const MAGIC = new TextEncoder().encode('CALMENC1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.byteLength + IV_BYTES + TAG_BYTES;

function checkKey(key: Uint8Array): void {
  if (key.byteLength !== DATA_KEY_BYTES)
    throw new RangeError(`A data key has ${DATA_KEY_BYTES} bytes, not ${key.byteLength}.`);
}

/** True when `raw` is a file `sealFile` wrote. */
export function isSealed(raw: Uint8Array): boolean {
  if (raw.byteLength < HEADER_BYTES) return false;
  return MAGIC.every((byte, i) => raw[i] === byte);
}

/** Encrypts `plain` into the on-disk form. */
export function sealFile(cipher: FileCipher, plain: Uint8Array): Uint8Array {
  checkKey(cipher.key);
  const iv = randomBytes(IV_BYTES);
  const gcm = createCipheriv('aes-256-gcm', cipher.key, iv);
  gcm.setAAD(Buffer.from(cipher.context, 'utf8'));
  const body = Buffer.concat([gcm.update(plain), gcm.final()]);
  return Buffer.concat([MAGIC, iv, gcm.getAuthTag(), body]);
}

/**
 * Decrypts a sealed file; throws when the key or context is wrong or a byte was
 * changed (GCM cannot tell these apart).
 */
export function openSealedFile(cipher: FileCipher, raw: Uint8Array): Uint8Array {
  checkKey(cipher.key);
  if (!isSealed(raw)) throw new Error('Not an encrypted Calmline file.');
  const iv = raw.subarray(MAGIC.byteLength, MAGIC.byteLength + IV_BYTES);
  const tag = raw.subarray(MAGIC.byteLength + IV_BYTES, HEADER_BYTES);
  const gcm = createDecipheriv('aes-256-gcm', cipher.key, iv);
  gcm.setAAD(Buffer.from(cipher.context, 'utf8'));
  gcm.setAuthTag(tag);
  return Buffer.concat([gcm.update(raw.subarray(HEADER_BYTES)), gcm.final()]);
}
