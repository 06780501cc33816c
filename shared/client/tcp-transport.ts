// TCP transport for Node: 4-byte big-endian length framing.
import net from 'node:net';
import { FrameReader, frame } from '../protocol/framing.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';
import { parseAddress } from './address.js';
import type { Connector, Transport } from './transport.js';

/** Connects to host:port, or to the target's `address` (HOST:PORT) when it names one. */
export function tcpConnector(host: string, port: number, maxFrame = PROTOCOL_LIMITS.maxFrame): Connector {
  return (target) =>
    new Promise<Transport>((resolve, reject) => {
      const to = target.address === undefined ? { host, port } : parseAddress(target.address);
      if (!to) {
        reject(new Error(`${JSON.stringify(target.address)} is not HOST:PORT`));
        return;
      }
      const sock = net.connect({ host: to.host, port: to.port, noDelay: true });
      let open = false;
      const t: Transport = {
        send: (bytes) => {
          if (!sock.destroyed) sock.write(frame(bytes));
        },
        close: () => sock.end(),
        onMessage: () => {},
        onClose: () => {},
      };
      const reader = new FrameReader(maxFrame, (body) => t.onMessage(body), () => sock.destroy());
      sock.on('data', (chunk) => reader.push(chunk));
      sock.once('connect', () => {
        open = true;
        resolve(t);
      });
      sock.on('error', (err) => {
        if (!open) reject(err);
      });
      sock.on('close', () => {
        if (open) t.onClose('tcp close');
      });
    });
}
