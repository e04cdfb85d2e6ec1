/**
 * Reads the progress of a transfer from a NOTIFY's message/sipfrag body (RFC 3515):
 * its first line is the status line of the transferee's INVITE to the target.
 */

/** What one sipfrag says about the transfer. */
export type TransferProgress =
  | { status: 'trying' | 'ringing'; statusCode: number }
  | { status: 'succeeded'; statusCode: number }
  | { status: 'failed'; statusCode: number };

/** Parses a sipfrag body; undefined when it is not one. */
export function parseSipfrag(body: string): TransferProgress | undefined {
  const match = /^SIP\/2\.0\s+(\d{3})\b/.exec(body.trimStart());
  if (!match) return undefined;
  const statusCode = Number(match[1]);
  if (statusCode < 100 || statusCode > 699) return undefined;
  if (statusCode < 180) return { status: 'trying', statusCode };
  if (statusCode < 200) return { status: 'ringing', statusCode };
  if (statusCode < 300) return { status: 'succeeded', statusCode };
  return { status: 'failed', statusCode };
}
