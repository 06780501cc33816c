// Turns keys and pointer into a movement intent (dx, dy) and sends it only when it changes.
// Keyboard: arrows or WASD, diagonals normalised so no direction is faster. Pointer/touch: hold
// on the arena and the player swims toward that point. Keys win over the pointer when both act.
import { isTypingTarget } from './dom.js';

const KEYS: Record<string, [number, number]> = {
  ArrowUp: [0, -1], KeyW: [0, -1],
  ArrowDown: [0, 1], KeyS: [0, 1],
  ArrowLeft: [-1, 0], KeyA: [-1, 0],
  ArrowRight: [1, 0], KeyD: [1, 0],
};

/** Inside this many world units of the pointer the player stops instead of circling it. */
const ARRIVED = 10;
/** Pointer steering changes direction continuously; keep it to about one input a tick. */
const POINTER_MIN_INTERVAL_MS = 50;

export interface ControlsHost {
  /** Where the player is drawn now, in world units; null before the first state. */
  selfPosition(): { x: number; y: number } | null;
  toWorld(clientX: number, clientY: number): { x: number; y: number };
  send(dx: number, dy: number): void;
  /** Enter outside a text field: the page moves focus to chat. */
  onChatKey(): void;
}

export class Controls {
  private readonly down = new Set<string>();
  private pointer: { id: number; clientX: number; clientY: number } | null = null;
  private last: [number, number] = [0, 0];
  private lastAt = 0;
  enabled = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly host: ControlsHost) {
    window.addEventListener('keydown', (e) => this.keyDown(e));
    window.addEventListener('keyup', (e) => this.keyUp(e));
    // Keys released while the window is not focused never send keyup: forget them all.
    window.addEventListener('blur', () => this.releaseAll());
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.releaseAll();
    });
    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointercancel', (e) => this.pointerUp(e));
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  /** World point the pointer steers toward, for drawing a guide line. */
  target(): { x: number; y: number } | null {
    return this.pointer && this.down.size === 0 ? this.host.toWorld(this.pointer.clientX, this.pointer.clientY) : null;
  }

  /** Sends the current intent again (after a resume the server starts from standing still). */
  resend(): void {
    const [dx, dy] = this.intent();
    this.emit(dx, dy);
  }

  releaseAll(): void {
    this.down.clear();
    this.pointer = null;
    this.update(performance.now(), true);
  }

  /** Called every animation frame: pointer steering follows the moving player. */
  update(now: number, force = false): void {
    if (!this.enabled) return;
    const [dx, dy] = this.intent();
    const changed = Math.abs(dx - this.last[0]) > 0.02 || Math.abs(dy - this.last[1]) > 0.02;
    if (!changed) return;
    const stopping = dx === 0 && dy === 0;
    if (force || stopping || now - this.lastAt >= POINTER_MIN_INTERVAL_MS) {
      this.emit(dx, dy);
      this.lastAt = now;
    }
  }

  private emit(dx: number, dy: number): void {
    this.last = [dx, dy];
    if (this.enabled) this.host.send(dx, dy);
  }

  private intent(): [number, number] {
    let x = 0;
    let y = 0;
    for (const code of this.down) {
      const v = KEYS[code];
      if (v) {
        x += v[0];
        y += v[1];
      }
    }
    if (x !== 0 || y !== 0) return unit(x, y);
    if (!this.pointer) return [0, 0];
    const self = this.host.selfPosition();
    if (!self) return [0, 0];
    const t = this.host.toWorld(this.pointer.clientX, this.pointer.clientY);
    const ddx = t.x - self.x;
    const ddy = t.y - self.y;
    if (Math.hypot(ddx, ddy) < ARRIVED) return [0, 0];
    return unit(ddx, ddy);
  }

  private keyDown(e: KeyboardEvent): void {
    if (!this.enabled || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTypingTarget(e.target)) return;
    if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) {
      e.preventDefault();
      this.host.onChatKey();
      return;
    }
    if (!(e.code in KEYS)) return;
    e.preventDefault(); // arrows would otherwise scroll the page
    if (this.down.has(e.code)) return; // key repeat
    this.down.add(e.code);
    this.update(performance.now(), true);
  }

  private keyUp(e: KeyboardEvent): void {
    if (!this.down.delete(e.code)) return;
    this.update(performance.now(), true);
  }

  private pointerDown(e: PointerEvent): void {
    if (!this.enabled || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.focus();
    this.canvas.setPointerCapture(e.pointerId);
    this.pointer = { id: e.pointerId, clientX: e.clientX, clientY: e.clientY };
    this.update(performance.now(), true);
  }

  private pointerMove(e: PointerEvent): void {
    if (!this.pointer || e.pointerId !== this.pointer.id) return;
    this.pointer.clientX = e.clientX;
    this.pointer.clientY = e.clientY;
  }

  private pointerUp(e: PointerEvent): void {
    if (!this.pointer || e.pointerId !== this.pointer.id) return;
    this.pointer = null;
    this.update(performance.now(), true);
  }
}

function unit(x: number, y: number): [number, number] {
  const len = Math.hypot(x, y);
  // Rounded to 1/1000: plenty for steering, and it keeps the encoded input small.
  return [Math.round((x / len) * 1000) / 1000, Math.round((y / len) * 1000) / 1000];
}
