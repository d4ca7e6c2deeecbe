// An in-process MQTT broker (aedes 1.x over node:net) for when no broker is configured, so one command
// runs the whole flow. MQTT 3.1.1 only (aedes refuses protocol 5), no persistence, no auth: bind it to
// loopback. Port 0 picks a free port; `url` is what openMqttLink takes. close() disconnects every client
// and stops listening.

import { type AddressInfo, type Socket, createServer } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  readonly host?: string;
  readonly port?: number;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function openEmbeddedBroker({ host = '127.0.0.1', port = 0 }: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`embedded broker: port must be an integer 0-65535 (0 picks a free one), got ${port}`);
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      aedes.close();
      reject(new Error(`embedded broker: cannot listen on ${host}:${port} (${e.message}); pick another port or 0 for a free one`));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        aedes.close(() => {
          for (const s of sockets) s.destroy(); // aedes ends clients; make sure the sockets go too
        });
      });
      return closing;
    },
  };
}
