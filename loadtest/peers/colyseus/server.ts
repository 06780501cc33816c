// The Colyseus peer: a stock Colyseus server (@colyseus/core + ws-transport, one process, its
// HTTP matchmaker and WebSocket rooms on one port) running the arena, started by the load test as
// its own process so its CPU is read from /proc like Shoal's. Prints "ready" once listening.
//   node dist/loadtest/peers/colyseus/server.js --port 2567 [--host 127.0.0.1]
import { parseArgs } from 'node:util';
import { Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { ArenaRoom } from './arena-room.js';
import { ARENA_ROOM } from './rules.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '2567' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer 0..65535');
  const server = new Server({ transport: new WebSocketTransport(), greet: false });
  server.define(ARENA_ROOM, ArenaRoom);
  await server.listen(port, values.host);
  console.log('ready');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
