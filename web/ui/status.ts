// The connection state shown in the header. `data-state` drives the colour (and lets tests and
// assistive tech read the state without parsing the sentence).
import { byId } from '../dom.js';

export type ConnState =
  | 'idle' | 'connecting' | 'joined' | 'reconnecting'
  | 'kicked' | 'shutdown' | 'replaced' | 'lost' | 'offline';

export class StatusView {
  private readonly node = byId('status');
  state: ConnState = 'idle';

  set(state: ConnState, text: string): void {
    this.state = state;
    this.node.dataset.state = state;
    if (this.node.textContent !== text) this.node.textContent = text;
  }
}
