// A worker's short memory of the world answers behind its HTTP endpoints (/rooms pages and
// /leaderboard; readiness is never kept: a load balancer acts on it). Those answers live in other processes; a load balancer or a dashboard polling them,
// or a burst of clients, would otherwise cost one inter-process round trip per request. Within
// `ms` of an answer (or while it is still on its way) the same question gets the same answer:
// the value itself once it has come (so a hit costs no promise), the promise before; a failed
// answer is forgotten at once, so an error is never served from here.

/** Questions remembered at most; past this, the stale ones go (a question key holds a page's offset and limit). */
const MAX_KEYS = 4096;

interface Entry<V> {
  at: number;
  p: Promise<V>;
  settled: boolean;
  v?: V;
}

export class AnswerCache<V> {
  private readonly answers = new Map<string, Entry<V>>();

  /** ms: how long an answer is reused (0: never; every call asks). */
  constructor(private readonly ms: number, private readonly now: () => number = Date.now) {}

  /** The answer: the remembered value when it has come within `ms`, else a promise of it. */
  get(key: string, ask: () => Promise<V>): V | Promise<V> {
    if (this.ms <= 0) return ask();
    const now = this.now();
    const hit = this.answers.get(key);
    if (hit && now - hit.at < this.ms) return hit.settled ? hit.v! : hit.p;
    if (this.answers.size >= MAX_KEYS) this.prune(now);
    const p = ask();
    const entry: Entry<V> = { at: now, p, settled: false };
    this.answers.set(key, entry);
    p.then(
      (v) => {
        entry.v = v;
        entry.settled = true;
      },
      () => {
        if (this.answers.get(key) === entry) this.answers.delete(key);
      },
    );
    return p;
  }

  private prune(now: number): void {
    for (const [k, v] of this.answers) if (now - v.at >= this.ms) this.answers.delete(k);
    // Every entry fresh (many pages asked at once): start again rather than grow.
    if (this.answers.size >= MAX_KEYS) this.answers.clear();
  }
}
