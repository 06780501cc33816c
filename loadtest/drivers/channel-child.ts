// The sending end of the `channel` scenario: connects to the parent's Unix socket with Shoal's own
// worker-coordinator Channel and sends small messages as fast as the channel takes them, either
// as pushes or as requests with many outstanding, until told to stop.
import net from 'node:net';
import { Channel } from '../../shared/ipc/channel.js';

const [socketPath, mode] = process.argv.slice(2) as [string, 'push' | 'request'];
const BURST = 1000;
const MAX_BACKLOG = 1 << 20;
const OUTSTANDING = 2000;
let running = true;

const sock = net.connect(socketPath);
sock.once('connect', () => {
  const ch = new Channel(sock, null, null);
  let seq = 0;
  if (mode === 'push') {
    // A burst per turn of the event loop, as a busy worker would; back off while the socket is full.
    const burst = () => {
      if (!running) return;
      if (ch.backlog > MAX_BACKLOG) return void setTimeout(burst, 1);
      for (let i = 0; i < BURST; i++) ch.push('pos', { id: seq++, x: 12.5, y: 40.25 });
      setImmediate(burst);
    };
    burst();
  } else {
    const one = (): void => {
      if (!running) return;
      ch.request('get', { id: seq++ }).then(one, one);
    };
    for (let i = 0; i < OUTSTANDING; i++) one();
  }
});
sock.on('error', () => process.exit(1));
process.on('message', (m: { type: string }) => {
  if (m.type === 'stop') {
    running = false;
    sock.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
