// Colyseus's way in, for the lean client: a seat reservation from the HTTP matchmaker
// (POST /matchmake/joinOrCreate/<room>), then a WebSocket to /<processId>/<roomId>?sessionId=..,
// JOIN_ROOM from the room answered with JOIN_ROOM, and states from then on. WebSocket only (the
// transport the peer runs). Message kinds and byte templates are in colyseus-wire.ts.
import http from 'node:http';
import { LeanSocket, type LeanTransport } from './lean-socket.js';
import type { LeanProtocol, Seat, SeatEvents } from './protocol.js';
import { PEEK_ERROR, PEEK_PONG, PEEK_STATE, PEEK_WELCOME } from './wire-peek.js';
import {
  JOIN_ACK, colyseusInputTemplate, colyseusPingTemplate, errorCode, peekColyseus, pongId, writeColyseusInput,
  writeColyseusPing,
} from './colyseus-wire.js';

interface SeatReservation {
  sessionId: string;
  roomId: string;
  processId?: string;
}

/** Matchmaking requests share keep-alive connections, as a browser's would. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function reserveSeat(host: string, port: number, room: string): Promise<SeatReservation> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host, port, method: 'POST', path: `/matchmake/joinOrCreate/${room}`, agent, timeout: 15_000,
      headers: { 'content-type': 'application/json', 'content-length': 2 },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const r = JSON.parse(body) as Partial<SeatReservation> & { code?: number };
          if (res.statusCode !== 200 || typeof r.sessionId !== 'string' || typeof r.roomId !== 'string') {
            return reject(new Error(`matchmake ${res.statusCode}${r.code !== undefined ? ` code ${r.code}` : ''}`));
          }
          resolve({ sessionId: r.sessionId, roomId: r.roomId, processId: r.processId });
        } catch {
          reject(new Error(`matchmake ${res.statusCode}: not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => reject(new Error(`matchmake: ${err.message.slice(0, 40)}`)));
    req.end('{}');
  });
}

export interface ColyseusProtocolOptions {
  /** The room name the matchmaker is asked for. */
  room: string;
  /** Patches a second the room sends (Colyseus does not announce its patch rate). */
  hz: number;
}

export function colyseusProtocol(o: ColyseusProtocolOptions): LeanProtocol {
  return {
    name: 'colyseus',
    transports: ['ws'],
    inputTemplate: colyseusInputTemplate,
    writeInput: writeColyseusInput,
    pingTemplate: colyseusPingTemplate,
    writePing: writeColyseusPing,
    async seat(host: string, port: number, _index: number, transport: LeanTransport, ev: SeatEvents): Promise<Seat> {
      if (transport !== 'ws') throw new Error('colyseus: WebSocket only');
      const r = await reserveSeat(host, port, o.room);
      const path = `/${r.processId ?? 'p'}/${r.roomId}?sessionId=${encodeURIComponent(r.sessionId)}`;
      return new Promise<Seat>((resolve, reject) => {
        let seated = false;
        let sock: LeanSocket | null = null;
        // JOIN_ROOM may arrive in the same chunk as the upgrade answer, before open() resolves.
        let joinSeen = false;
        const seat = () => {
          seated = true;
          sock!.send(JOIN_ACK);
          resolve({ sock: sock!, hz: o.hz });
        };
        LeanSocket.open('ws', host, port, {
          onMessage(buf, start, len) {
            const k = peekColyseus(buf, start, len);
            if (k === PEEK_STATE) {
              if (seated) ev.state();
            } else if (k === PEEK_PONG) ev.pong(pongId(buf, start, len));
            else if (k === PEEK_WELCOME && !seated) {
              if (sock) seat();
              else joinSeen = true;
            } else if (k === PEEK_ERROR) {
              const code = `COLYSEUS_${errorCode(buf, start, len)}`;
              if (seated) ev.error(code);
              else reject(new Error(code));
            }
          },
          onClose() {
            if (seated) ev.closed();
            else reject(new Error('closed before JOIN_ROOM'));
          },
        }, path).then((s) => {
          sock = s;
          if (joinSeen && !seated) seat();
        }, (err: Error) => reject(new Error(`connect: ${err.message.slice(0, 40)}`)));
      });
    },
  };
}
