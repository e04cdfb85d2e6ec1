/**
 * Click-to-dial: a `tel:`, `callto:` or `sip:`/`sips:` link from the CRM or a browser,
 * parsed and normalised for the agent's region (docs/desk.md#click-to-dial). The link
 * comes from outside Calmline (the OS hands it over), so it is untrusted: anything
 * that is not plainly a number or a SIP address is refused with a reason, and
 * nothing here dials. The agent confirms first, in the window.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { DialLinkRefusal } from '../../shared/desk';

/** Longest link considered at all; longer ones are refused before any parsing. */
export const MAX_DIAL_LINK_LENGTH = 2048;

/** A link read: what to dial and how to ask, or why it was refused. */
export type ParsedDialLink =
  { ok: true; target: string; display: string } | { ok: false; reason: DialLinkRefusal; excerpt: string };

// C0 and C1 controls, and the bidi controls that can make a number read differently.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const SCHEME = /^([a-z][a-z0-9+.-]{0,31}):/i;
/** Internal extensions the PBX routes: 2 to 6 digits. */
const EXTENSION = /^[0-9]{2,6}$/;
const SIP_USER = /^[a-z0-9\-_.!~*'()&=+$,;?/%]{1,64}$/i;
const SIP_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/i;

/** A short, inert excerpt of untrusted text for the refusal message. */
export function excerptOf(raw: string): string {
  const flat = [...raw.slice(0, 200)].map((char) => (CONTROL.test(char) ? '\uFFFD' : char)).join('');
  const chars = [...flat];
  return chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : flat;
}

function refuse(reason: DialLinkRefusal, raw: string): ParsedDialLink {
  return { ok: false, reason, excerpt: excerptOf(raw) };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseNumber(raw: string, body: string, region: string): ParsedDialLink {
  // RFC 3966 parameters (;ext=, ;phone-context=) and anything after them are not dialled.
  const [main = '', ...params] = body.replace(/^\/\//, '').split(';');
  const decoded = decode(main);
  if (decoded === undefined) return refuse('malformed', raw);
  if (CONTROL.test(decoded)) return refuse('control-characters', raw);
  const context = params.find((param) => /^phone-context=\+/i.test(param))?.slice('phone-context='.length);
  const compact = decoded.replace(/[\s\-.()\u00a0]/g, '');
  if (!/^\+?[0-9]{1,20}$/.test(compact)) return refuse('invalid-number', raw);
  if (!compact.startsWith('+') && !context && EXTENSION.test(compact)) {
    return { ok: true, target: compact, display: compact };
  }
  const international = !compact.startsWith('+') && context ? `${context}${compact}` : compact;
  const parsed = parsePhoneNumberFromString(international, region as CountryCode);
  if (!parsed?.isValid()) return refuse('invalid-number', raw);
  return { ok: true, target: parsed.number, display: parsed.formatInternational() };
}

function parseSip(raw: string, scheme: string, body: string, region: string): ParsedDialLink {
  // URI parameters and headers (`;transport=`, `?Subject=`) are dropped: a link must
  // not choose how Calmline signals, only whom it calls.
  const address = body.split(/[;?]/)[0] ?? '';
  const at = address.lastIndexOf('@');
  if (at <= 0) return refuse('malformed', raw);
  const user = address.slice(0, at);
  const host = address.slice(at + 1);
  const decodedUser = decode(user);
  if (decodedUser === undefined) return refuse('malformed', raw);
  if (CONTROL.test(decodedUser)) return refuse('control-characters', raw);
  if (!SIP_USER.test(user) || /[\s<>"@]/.test(decodedUser) || !SIP_HOST.test(host)) return refuse('malformed', raw);
  const target = `${scheme}:${user}@${host.toLowerCase()}`;
  const asNumber = decodedUser.startsWith('+')
    ? parsePhoneNumberFromString(decodedUser, region as CountryCode)
    : undefined;
  const display = asNumber?.isValid()
    ? `${asNumber.formatInternational()} (${host.toLowerCase()})`
    : `${decodedUser}@${host.toLowerCase()}`;
  return { ok: true, target, display };
}

/**
 * Reads a click-to-dial link for an agent in `region` (ISO 3166, e.g. `DE`):
 * `tel:+49-30-123456`, `tel:030 123456`, `tel:123456;phone-context=+4930`,
 * `callto:+4930123456`, `sip:2000@pbx.example.com`. Refuses anything else.
 */
export function parseDialLink(raw: unknown, region: string): ParsedDialLink {
  if (typeof raw !== 'string') return refuse('malformed', '');
  if (raw.length > MAX_DIAL_LINK_LENGTH) return refuse('too-long', raw);
  if (CONTROL.test(raw)) return refuse('control-characters', raw);
  const link = raw.trim();
  const scheme = SCHEME.exec(link)?.[1]?.toLowerCase();
  if (!scheme) return refuse('malformed', raw);
  const body = link.slice(scheme.length + 1);
  switch (scheme) {
    case 'tel':
    case 'callto':
      return parseNumber(raw, body, region);
    case 'sip':
    case 'sips':
      return parseSip(raw, scheme, body, region);
    default:
      return refuse('unsupported-scheme', raw);
  }
}

/** The links in a command line (`second-instance`, first start): the arguments that name our schemes. */
export function dialLinksInArgs(argv: readonly string[]): string[] {
  return argv.filter((arg) => /^(tel|callto|sips?):/i.test(arg)).slice(0, 4);
}
