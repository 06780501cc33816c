// A worker's copy of the primary's readiness, kept by what the primary pushes (readiness.ts there):
// /health and /ready are answered from it at once, with no round trip per probe. It is exact for
// the connection limits: the primary pushes an address reaching (or leaving) its limit in the turn
// its books change, over the channel its hand-offs take, so any connection handed over after the
// change is answered with it. Until the first state arrives the worker asks the primary instead.
import type { NotReadyReason, Readiness } from '../../http/health.js';
import type { ReadinessPush } from '../../ipc/primary-worker.js';

export class ReadinessMirror {
  private state: Readiness | null = null;
  /** The state with address_full added, built once per state. */
  private fullState: Readiness | null = null;
  private readonly full = new Set<string>();

  apply(m: ReadinessPush): void {
    switch (m.t) {
      case 'health.state':
        this.state = m.r;
        this.fullState = null;
        return;
      case 'health.addresses':
        this.full.clear();
        for (const a of m.full) this.full.add(a);
        return;
      case 'health.address':
        if (m.full) this.full.add(m.address);
        else this.full.delete(m.address);
        return;
    }
  }

  /**
   * Readiness as it is now for a request from this address; null before the primary's first push.
   * The address is asked for only while some address is full (reading it parses the request's
   * headers, for X-Forwarded-For).
   */
  now(address: () => string): Readiness | null {
    const s = this.state;
    if (!s || this.full.size === 0 || !this.full.has(address())) return s;
    return (this.fullState ??= withAddressFull(s));
  }
}

/** The reasons in the order the primary gives them (address_full before shutting_down). */
function withAddressFull(s: Readiness): Readiness {
  const reasons: NotReadyReason[] = s.reasons.filter((r) => r !== 'shutting_down');
  reasons.push('address_full');
  if (s.reasons.includes('shutting_down')) reasons.push('shutting_down');
  return { ...s, reasons };
}
