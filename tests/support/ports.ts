/**
 * Port selection for the SIP test bed (Kamailio, SIPp, fake agents).
 *
 * Every run picks its own loopback ports so that test files can run in parallel and next to a
 * system Kamailio on 5060. Ports are drawn at random from OUTSIDE the kernel's ephemeral range:
 * an ephemeral port can be grabbed at any moment by an outgoing connection or by a socket bound to
 * port 0, which would break `restart()` on the same ports and SIPp's fixed `-p` port.
 *
 * Whether a port is free is read from /proc/net/{udp,tcp}{,6} (Linux; the bed needs Debian's
 * kamailio anyway). That check is synchronous, so `runSipp()` can stay synchronous, and it never
 * binds the port itself, so it cannot race a process that is about to bind it.
 */
import { readFileSync } from 'node:fs';

/** Which protocols must be free on a port. */
export interface PortNeeds {
  /** The port must be free for UDP (default true). */
  udp?: boolean;
  /** The port must be free for TCP (default false). */
  tcp?: boolean;
}

/** Options for {@link reservePort}. */
export interface ReservePortOptions extends PortNeeds {
  /**
   * Number of consecutive ports needed, starting at the returned one (default 1). SIPp's media
   * port needs 4 (RTP echo on N, N+1 and video on N+2, N+3).
   */
  span?: number;
  /** Only return even ports (RTP convention; default false). */
  even?: boolean;
}

/** Ports handed out by this process and not yet released: never handed out twice. */
const reserved = new Set<number>();

const LOWEST_PORT = 10_000;
const HIGHEST_PORT = 65_000;

/** Reads the kernel's ephemeral range so that we stay out of it. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high)) {
      return [low, high];
    }
  } catch {
    // Not Linux or /proc hidden: fall back to the Linux default.
  }
  return [32_768, 60_999];
}

/** The local port and state of every socket of one protocol, from /proc/net (state 0A is LISTEN). */
function sockets(proto: 'udp' | 'tcp'): { port: number; state: string }[] {
  const found: { port: number; state: string }[] = [];
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // "  sl  local_address rem_address   st ..." -> local_address is "0100007F:13C4"
      const fields = line.trim().split(/\s+/);
      const hexPort = fields[1]?.split(':').pop();
      if (hexPort) found.push({ port: Number.parseInt(hexPort, 16), state: fields[3] ?? '' });
    }
  }
  return found;
}

/** Local ports currently bound (any address) for one protocol. */
function boundPorts(proto: 'udp' | 'tcp'): Set<number> {
  return new Set(sockets(proto).map((socket) => socket.port));
}

/** True while something listens on TCP `port` (LISTEN only: closed connections linger in TIME_WAIT). */
export function isTcpListening(port: number): boolean {
  return sockets('tcp').some((socket) => socket.port === port && socket.state === '0A');
}

/**
 * True if something on this machine has `port` bound for `proto`. Lets helpers wait until a child
 * (e.g. a SIPp UAS) is really listening without binding the port themselves.
 */
export function isPortBound(port: number, proto: 'udp' | 'tcp'): boolean {
  return boundPorts(proto).has(port);
}

/**
 * Picks a random free loopback port (or a run of `span` consecutive free ports) outside the
 * ephemeral range and remembers it so this process never hands it out twice. Synchronous on
 * purpose (see the module comment). Call {@link releasePort} when the owner has exited.
 */
export function reservePort(options: ReservePortOptions = {}): number {
  const span = options.span ?? 1;
  const needUdp = options.udp ?? true;
  const needTcp = options.tcp ?? false;
  const [ephLow, ephHigh] = ephemeralRange();
  const udp = needUdp ? boundPorts('udp') : new Set<number>();
  const tcp = needTcp ? boundPorts('tcp') : new Set<number>();
  const usable = (p: number): boolean =>
    p >= LOWEST_PORT &&
    p <= HIGHEST_PORT &&
    (p < ephLow || p > ephHigh) &&
    !reserved.has(p) &&
    !udp.has(p) &&
    !tcp.has(p);

  for (let attempt = 0; attempt < 5_000; attempt += 1) {
    let start = LOWEST_PORT + Math.floor(Math.random() * (HIGHEST_PORT - LOWEST_PORT - span));
    if (options.even && start % 2 === 1) start += 1;
    let ok = true;
    for (let p = start; p < start + span; p += 1) {
      if (!usable(p)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (let p = start; p < start + span; p += 1) reserved.add(p);
    return start;
  }
  throw new Error(`reservePort: no free run of ${span} port(s) found between ${LOWEST_PORT} and ${HIGHEST_PORT}`);
}

/** Returns ports from {@link reservePort} to the pool once their owner process has exited. */
export function releasePort(port: number, span = 1): void {
  for (let p = port; p < port + span; p += 1) reserved.delete(p);
}

/**
 * Resolves once `port` is bound for `proto` (by anyone), rejects after `timeoutMs`. Used to know
 * that a freshly spawned SIPp UAS can receive before a call is placed to it.
 */
export async function waitForPortBound(port: number, proto: 'udp' | 'tcp', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!isPortBound(port, proto)) {
    if (Date.now() > deadline) throw new Error(`port ${proto}/${port} was not bound within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
