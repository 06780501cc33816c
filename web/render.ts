// Draws the arena on a canvas that fills its box at the device's pixel density. The field (the
// welcome's `world`) is scaled to fit (letterboxed), so any window size shows the whole field.
import type { CoinView } from '../shared/client/client.js';
import type { Drawn } from './interp.js';
import type { Palette } from './palette.js';

export interface Frame {
  /** The game's field (the welcome's `world` on the wire). */
  field: { w: number; h: number };
  players: Drawn[];
  coins: Iterable<CoinView>;
  selfId: string;
  names: ReadonlyMap<string, string>;
  palette: Palette;
  /** World point the pointer steers toward, if held. */
  target: { x: number; y: number } | null;
  now: number;
}

const PLAYER_RADIUS = 14;
const COIN_RADIUS = 7;
const GRID = 100;

export class ArenaRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private cssW = 0;
  private cssH = 0;
  /** Read each frame, so changing the system setting takes effect at once. */
  private readonly reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this browser has no 2D canvas');
    this.ctx = ctx;
  }

  /** Matches the backing store to the element's size; cheap when nothing changed. */
  private fit(field: { w: number; h: number }): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w !== this.cssW || h !== this.cssH || this.canvas.width !== Math.round(w * dpr)) {
      this.cssW = w;
      this.cssH = h;
      this.canvas.width = Math.max(1, Math.round(w * dpr));
      this.canvas.height = Math.max(1, Math.round(h * dpr));
    }
    const pad = 8;
    this.scale = Math.max(0.01, Math.min((w - 2 * pad) / field.w, (h - 2 * pad) / field.h));
    this.ox = (w - field.w * this.scale) / 2;
    this.oy = (h - field.h * this.scale) / 2;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** Page coordinates (clientX/Y) to field coordinates. */
  toWorld(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: (clientX - r.left - this.ox) / this.scale, y: (clientY - r.top - this.oy) / this.scale };
  }

  draw(f: Frame): void {
    if (f.field.w <= 0 || f.field.h <= 0) return;
    this.fit(f.field);
    const { ctx, scale: k, ox, oy } = this;
    ctx.fillStyle = '#071620';
    ctx.fillRect(0, 0, this.cssW, this.cssH);

    // Field and grid.
    ctx.fillStyle = '#0c2535';
    ctx.fillRect(ox, oy, f.field.w * k, f.field.h * k);
    ctx.strokeStyle = '#143a52';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = GRID; x < f.field.w; x += GRID) {
      ctx.moveTo(ox + x * k + 0.5, oy);
      ctx.lineTo(ox + x * k + 0.5, oy + f.field.h * k);
    }
    for (let y = GRID; y < f.field.h; y += GRID) {
      ctx.moveTo(ox, oy + y * k + 0.5);
      ctx.lineTo(ox + f.field.w * k, oy + y * k + 0.5);
    }
    ctx.stroke();
    ctx.strokeStyle = '#3a7aa0';
    ctx.lineWidth = 2;
    ctx.strokeRect(ox, oy, f.field.w * k, f.field.h * k);

    // Coins pulse gently so they read as pick-ups (unless the reader asked for less motion);
    // golden (value > 1) ones are bigger.
    const pulse = this.reducedMotion.matches ? 1 : 1 + 0.12 * Math.sin(f.now / 220);
    for (const c of f.coins) {
      const r = Math.max(3, COIN_RADIUS * k * pulse * (c.value > 1 ? 1.5 : 1));
      ctx.beginPath();
      ctx.arc(ox + c.x * k, oy + c.y * k, r, 0, Math.PI * 2);
      ctx.fillStyle = c.value > 1 ? '#fff2a8' : '#ffd34d';
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#a0740a';
      ctx.stroke();
    }

    const self = f.players.find((p) => p.id === f.selfId);
    if (self && f.target) {
      ctx.setLineDash([6, 6]);
      ctx.strokeStyle = 'rgba(233, 242, 248, 0.45)';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(ox + self.x * k, oy + self.y * k);
      ctx.lineTo(ox + f.target.x * k, oy + f.target.y * k);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    // Players: others first, so your own fish is always on top.
    const r = Math.max(5, PLAYER_RADIUS * k);
    ctx.font = `600 ${Math.max(11, Math.min(14, 12 * k + 4))}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    const ordered = f.players.filter((p) => p.id !== f.selfId);
    if (self) ordered.push(self);
    for (const p of ordered) {
      const x = ox + p.x * k;
      const y = oy + p.y * k;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fillStyle = f.palette.colourOf(p.id);
      ctx.fill();
      const mine = p.id === f.selfId;
      ctx.lineWidth = mine ? 3 : 1.5;
      ctx.strokeStyle = mine ? '#ffffff' : '#06121b';
      ctx.stroke();
      const label = `${mine ? 'you' : f.names.get(p.id) ?? p.id.slice(0, 6)} · ${p.score}`;
      // Above the player, unless that would leave the canvas (then below).
      // Kept inside the canvas sideways too.
      const below = y - r - 18 < 0;
      ctx.textBaseline = below ? 'top' : 'bottom';
      const ly = below ? y + r + 3 : y - r - 3;
      const half = ctx.measureText(label).width / 2 + 2;
      const lx = Math.min(Math.max(x, half), this.cssW - half);
      ctx.fillStyle = '#06121b';
      ctx.fillText(label, lx + 1, ly + 1);
      ctx.fillStyle = mine ? '#ffffff' : '#e9f2f8';
      ctx.fillText(label, lx, ly);
    }
  }
}
