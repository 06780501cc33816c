// A connection routed to a worker that is being replaced (console `restart`) waits for the
// replacement, so a resuming player reaches it directly: no relay through a dying worker, no room
// moved elsewhere. The wait is bounded (a hello sent with the connection must still be in time);
// if the replacement is late, the acceptor places the connection as it would anyway.

export async function holdRoute<R extends { slot: number } | null>(
  route: Promise<R>,
  replacement: (slot: number) => Promise<void> | undefined,
  boundMs: number,
): Promise<R> {
  const r = await route;
  const gate = r && replacement(r.slot);
  if (!gate) return r;
  let t: NodeJS.Timeout | undefined;
  await Promise.race([gate, new Promise((res) => (t = setTimeout(res, Math.max(0, boundMs))))]);
  clearTimeout(t);
  return r;
}
