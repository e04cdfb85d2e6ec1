/**
 * The key a caller is filed and looked up under, so `+49 30 1234-567`,
 * `0049301234567` and `sip:+49301234567@pbx` find the same caller. The phone layer
 * already hands over E.164 numbers where it can (`normalizeNumber`); this only folds
 * the formatting differences that remain, and is applied again at every store
 * boundary because a key must never depend on who called the store.
 */

/** Longest key kept; longer input is not a phone number or SIP user we can file. */
export const MAX_CALLER_KEY_LENGTH = 64;

const ANONYMOUS = new Set(['', 'anonymous', 'unknown', 'restricted', 'private', 'unavailable']);

/** The storage key of a number or SIP user, or undefined for an anonymous or unusable one. */
export function callerKey(raw: string): string | undefined {
  let value = raw.trim();
  const uri = /^(?:sips?|tel):([^@;?>]*)/i.exec(value);
  if (uri) value = uri[1] ?? '';
  const compact = value.replace(/[\s\-()./]/g, '');
  if (/^(?:\+|00)?[0-9*#]+$/.test(compact)) {
    const key = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
    return key.length <= MAX_CALLER_KEY_LENGTH ? key : undefined;
  }
  const user = value.normalize('NFC').toLowerCase();
  if (
    ANONYMOUS.has(user) ||
    user.length > MAX_CALLER_KEY_LENGTH ||
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    /[\u0000-\u001f\u007f]/.test(user) ||
    !/[\p{L}\p{N}]/u.test(user)
  ) {
    return undefined;
  }
  return user;
}

/** Only the digits of a key, for matching a typed fragment such as `1234567`. */
export function keyDigits(key: string): string {
  return key.replace(/\D/g, '');
}
