/**
 * `npm run open-link -- <web host URL> <link>`: hands a click-to-dial link to a running
 * web host, as the OS does for the Electron app (docs/desk.md#click-to-dial). The URL
 * is the one the web host printed (its `#token=` fragment is the credential); the
 * window then asks the agent to confirm. Prints what the window was asked.
 *
 *   npm run open-link -- 'http://127.0.0.1:5173/#token=…' 'tel:+49 30 123456'
 */
import { OPEN_LINK_PATH } from './server/open-link-endpoint';

const [hostUrl, link] = process.argv.slice(2);
if (!hostUrl || link === undefined) {
  process.stderr.write('Usage: npm run open-link -- <web host URL with #token=…> <tel:/sip: link>\n');
  process.exit(2);
}
const url = new URL(hostUrl);
const token = new URLSearchParams(url.hash.slice(1)).get('token');
if (!token || (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')) {
  process.stderr.write('The URL must be the loopback URL the web host printed, with its #token=.\n');
  process.exit(2);
}
const response = await fetch(new URL(OPEN_LINK_PATH, url.origin), {
  method: 'POST',
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ url: link }),
});
process.stdout.write(`${response.status} ${await response.text()}\n`);
process.exit(response.ok ? 0 : 1);
