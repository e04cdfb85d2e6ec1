import type { AddressInfo } from 'node:net';
import { TransportState } from 'sip.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsTransport } from '../../../src/core/phone/ws-transport';

const logger = { error: vi.fn(), warn: vi.fn(), log: vi.fn(), debug: vi.fn() } as never;
const servers: WebSocketServer[] = [];

async function sipServer(protocol: string | false = 'sip') {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocol && protocols.has(protocol) ? protocol : false),
  });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const peers: WebSocket[] = [];
  server.on('connection', (socket) => peers.push(socket));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, peers, server };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('WsTransport', () => {
  it('connects with the sip subprotocol and delivers text messages', async () => {
    const { url, peers } = await sipServer();
    const transport = new WsTransport(logger, { server: url });
    const received: string[] = [];
    transport.onMessage = (message) => received.push(message);
    const onConnect = vi.fn();
    transport.onConnect = onConnect;
    await transport.connect();
    expect(transport.state).toBe(TransportState.Connected);
    expect(onConnect).toHaveBeenCalledOnce();
    peers[0]!.send('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
    await vi.waitFor(() => expect(received).toEqual(['OPTIONS sip:a@b SIP/2.0\r\n\r\n']));
    await transport.disconnect();
    expect(transport.state).toBe(TransportState.Disconnected);
  });

  it('drops a message the UserAgent throws on and keeps delivering the next ones', async () => {
    const { url, peers } = await sipServer();
    const dropped = vi.fn();
    const transport = new WsTransport(logger, { server: url, onMessageDropped: dropped });
    const received: string[] = [];
    transport.onMessage = (message) => {
      if (message.startsWith('BAD')) throw new TypeError("Cannot read properties of undefined (reading 'method')");
      received.push(message);
    };
    await transport.connect();
    peers[0]!.send('BAD CSeq');
    peers[0]!.send('GOOD');
    await vi.waitFor(() => expect(received).toEqual(['GOOD']));
    expect(dropped).toHaveBeenCalledOnce();
    expect(transport.isConnected()).toBe(true);
    await transport.disconnect();
  });

  it('decodes binary frames (Kamailio sends non-UTF-8 SIP as binary) leniently', async () => {
    const { url, peers } = await sipServer();
    const transport = new WsTransport(logger, { server: url });
    const received: string[] = [];
    transport.onMessage = (message) => received.push(message);
    await transport.connect();
    peers[0]!.send(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), { binary: true }); // "Müller" in Latin-1
    await vi.waitFor(() => expect(received).toEqual(['M\uFFFDller']));
    await transport.disconnect();
  });

  it('refuses a server that does not speak the sip subprotocol', async () => {
    const { url } = await sipServer(false);
    const transport = new WsTransport(logger, { server: url });
    await expect(transport.connect()).rejects.toThrow();
    expect(transport.state).toBe(TransportState.Disconnected);
  });

  it('rejects connect() when nothing listens, and can connect later', async () => {
    const { url, server } = await sipServer();
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const transport = new WsTransport(logger, { server: url, connectTimeoutMs: 1_000 });
    await expect(transport.connect()).rejects.toThrow();
    expect(transport.state).toBe(TransportState.Disconnected);
    const again = new WebSocketServer({ host: '127.0.0.1', port, handleProtocols: () => 'sip' });
    servers.push(again);
    await new Promise((resolve) => again.once('listening', resolve));
    await transport.connect();
    expect(transport.isConnected()).toBe(true);
    await transport.disconnect();
  });

  it('reports an unexpected close to onDisconnect with an error, a wanted one without', async () => {
    const { url, peers } = await sipServer();
    const transport = new WsTransport(logger, { server: url });
    const onDisconnect = vi.fn();
    transport.onDisconnect = onDisconnect;
    await transport.connect();
    peers[0]!.terminate();
    await vi.waitFor(() => expect(onDisconnect).toHaveBeenCalledOnce());
    expect(onDisconnect.mock.calls[0]![0]).toBeInstanceOf(Error);

    await transport.connect();
    await transport.disconnect();
    expect(onDisconnect).toHaveBeenCalledTimes(2);
    expect(onDisconnect.mock.calls[1]![0]).toBeUndefined();
  });

  it('closes the connection when a frame exceeds the size limit', async () => {
    const { url, peers } = await sipServer();
    const transport = new WsTransport(logger, { server: url, maxMessageBytes: 1024 });
    const onDisconnect = vi.fn();
    transport.onDisconnect = onDisconnect;
    await transport.connect();
    peers[0]!.send('X'.repeat(5000));
    await vi.waitFor(() => expect(onDisconnect).toHaveBeenCalledOnce());
    expect(transport.state).toBe(TransportState.Disconnected);
  });

  it('rejects send() while not connected', async () => {
    const transport = new WsTransport(logger, { server: 'ws://127.0.0.1:9' });
    await expect(transport.send('x')).rejects.toThrow(/Not connected/);
  });
});
