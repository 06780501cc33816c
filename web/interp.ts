// Smooth motion between ticks. The server sends positions `hz` times a second; the page draws at
// the display's rate. Each state message starts a new segment from where a player is drawn right
// now to its new position, walked over a little more than one tick. That costs about a tick of
// latency and never shows a position the server did not send (no extrapolation, no rubber-banding).
import type { PlayerView } from '../shared/client/client.js';

export interface Drawn { id: string; x: number; y: number; score: number }

interface Segment { fx: number; fy: number; tx: number; ty: number; score: number }

/** Beyond this distance in one tick a player jumped (resume, respawn): snap instead of sliding. */
const SNAP_DISTANCE = 150;

export class Interpolator {
  private readonly segs = new Map<string, Segment>();
  private startedAt = 0;
  /** A little longer than a tick, so jitter in arrival rarely leaves a player standing still. */
  private segmentMs = 60;

  setRate(hz: number): void {
    if (hz > 0) this.segmentMs = 1.2 * (1000 / hz);
  }

  /** Call on every state message with the client's mirror of the room. */
  update(players: ReadonlyMap<string, PlayerView>, now: number): void {
    const a = this.alpha(now);
    for (const [id, p] of players) {
      const s = this.segs.get(id);
      if (!s) {
        this.segs.set(id, { fx: p.x, fy: p.y, tx: p.x, ty: p.y, score: p.score });
        continue;
      }
      const cx = s.fx + (s.tx - s.fx) * a;
      const cy = s.fy + (s.ty - s.fy) * a;
      const jumped = Math.hypot(p.x - cx, p.y - cy) > SNAP_DISTANCE;
      s.fx = jumped ? p.x : cx;
      s.fy = jumped ? p.y : cy;
      s.tx = p.x;
      s.ty = p.y;
      s.score = p.score;
    }
    for (const id of this.segs.keys()) if (!players.has(id)) this.segs.delete(id);
    this.startedAt = now;
  }

  clear(): void {
    this.segs.clear();
  }

  private alpha(now: number): number {
    return Math.min(1, Math.max(0, (now - this.startedAt) / this.segmentMs));
  }

  /** Where every player is drawn at `now`. */
  sample(now: number): Drawn[] {
    const a = this.alpha(now);
    const out: Drawn[] = [];
    for (const [id, s] of this.segs) {
      out.push({ id, x: s.fx + (s.tx - s.fx) * a, y: s.fy + (s.ty - s.fy) * a, score: s.score });
    }
    return out;
  }

  position(id: string, now: number): { x: number; y: number } | null {
    const s = this.segs.get(id);
    if (!s) return null;
    const a = this.alpha(now);
    return { x: s.fx + (s.tx - s.fx) * a, y: s.fy + (s.ty - s.fy) * a };
  }
}
