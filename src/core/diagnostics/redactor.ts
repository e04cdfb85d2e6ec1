/**
 * The one place where text is made safe for the log file and the diagnostics
 * bundle. Everything written there passes through {@link Redactor.redact}:
 *
 * - secrets the app knows (the SIP password, TURN credentials) and what the agent
 *   typed about callers (note text, incident statements, flag reasons, wrap-up notes),
 *   registered as they pass through, are replaced by `[redacted]`;
 * - a whole SIP message is replaced by a one-line summary (method or status, size);
 * - `password=…`, `"credential": "…"`, Authorization headers are blanked;
 * - phone numbers are masked but for their last two digits (`•••67`), including the
 *   user part of a SIP URI that is a number.
 */

/** Longest texts remembered for scrubbing (a bounded, most-recent-first set). */
const MAX_PROTECTED = 500;
/** Shorter strings are not protected: they would blank ordinary words. */
const MIN_PROTECTED_LENGTH = 4;

const SIP_REQUEST_LINE = /\b([A-Z]{3,9}) sips?:\S+ SIP\/2\.0\b/;
const SIP_STATUS_LINE = /\bSIP\/2\.0 (\d{3})\b/;
const SIP_HEADER = /\r?\n(?:Via|From|To|Call-ID|CSeq|Contact|Max-Forwards|Content-Length|[fvtimlk]):/i;
const CREDENTIAL_PAIR =
  /("?(?:password|passwd|pwd|credential|secret|token|authorization)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}&]+)/gi;
const AUTH_HEADER = /((?:Proxy-)?Authori[sz]ation:\s*)[^\r\n]*/gi;
/** A phone number: optional +, then at least 6 digits with single spaces, dots, dashes or brackets between. */
const PHONE_NUMBER = /(?<![\w.:/%@-])\+?\(?\d(?:[\s.()-]?\d){5,}(?![\w.:-])/g;
/** A SIP or tel URI whose user is a number of 6 digits or more (a short extension such as 1001 stays). */
const SIP_NUMBER_USER = /(sips?:|tel:)(\+?\d(?:[-.()]?\d){5,})(?=[@;>\s]|$)/gi;

/** Masks all but the last two digits of a number. */
export function maskNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return `•••${digits.slice(-2)}`;
}

/** Request fields whose text is about a caller, never for the log. */
const SENSITIVE_FIELDS = new Set(['text', 'note', 'password', 'whatWasSaid', 'reason', 'credential']);

/** Scrubs text for the log and the diagnostics bundle. */
export class Redactor {
  private readonly protectedValues: string[] = [];

  /** Remembers `value` so that it never appears in the log (a password, a note). */
  protect(value: string | undefined | null): void {
    if (!value || value.length < MIN_PROTECTED_LENGTH) return;
    const at = this.protectedValues.indexOf(value);
    if (at >= 0) this.protectedValues.splice(at, 1);
    this.protectedValues.unshift(value);
    if (this.protectedValues.length > MAX_PROTECTED) this.protectedValues.length = MAX_PROTECTED;
  }

  /** Protects the sensitive fields of a command's payload (notes, statements, passwords) as it arrives. */
  observeCommand(payload: unknown): void {
    const visit = (value: unknown, depth: number) => {
      if (depth > 4 || typeof value !== 'object' || value === null) return;
      for (const [key, field] of Object.entries(value)) {
        if (typeof field === 'string' && SENSITIVE_FIELDS.has(key)) {
          this.protect(field);
          this.protect(field.trim());
        } else if (typeof field === 'object') visit(field, depth + 1);
      }
    };
    visit(payload, 0);
  }

  /** The text made safe. */
  redact(text: string): string {
    let out = summariseSipMessage(text);
    // Longest first, so a note that contains an older version of itself goes whole.
    for (const value of [...this.protectedValues].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join('[redacted]');
    }
    out = out.replace(AUTH_HEADER, '$1[redacted]');
    out = out.replace(CREDENTIAL_PAIR, (_match, key: string, value: string) =>
      value.startsWith('"') ? `${key}"[redacted]"` : `${key}[redacted]`,
    );
    out = out.replace(SIP_NUMBER_USER, (_match, scheme: string, user: string) => `${scheme}${maskNumber(user)}`);
    out = out.replace(PHONE_NUMBER, (number) => maskNumber(number));
    return out;
  }
}

/** A text that carries a whole SIP message becomes a summary of it; anything else stays. */
function summariseSipMessage(text: string): string {
  if (!SIP_HEADER.test(text)) return text;
  const request = SIP_REQUEST_LINE.exec(text);
  const status = SIP_STATUS_LINE.exec(text);
  if (!request && !status) return text;
  const start = Math.min(request?.index ?? Infinity, status?.index ?? Infinity);
  const what = request && (!status || request.index <= status.index) ? request[1] : `${status![1]} response`;
  return `${text.slice(0, start)}[SIP ${what} message, ${text.length - start} bytes, not logged]`;
}
