// Player colours. Hashing ids to hues collides too often in a room of 16 (birthday problem), so
// colours are handed out in the order players appear on this page, a golden angle apart: the
// first dozen are all clearly different. The same colour is used on the canvas and in the list.

const GOLDEN_ANGLE = 137.508;

export class Palette {
  private readonly colours = new Map<string, string>();
  private next = 0;

  colourOf(id: string): string {
    let c = this.colours.get(id);
    if (!c) {
      const n = this.next++;
      // Alternate lightness a little too, so neighbours in hue still differ.
      c = `hsl(${Math.round((n * GOLDEN_ANGLE + 95) % 360)} 80% ${n % 2 ? 70 : 62}%)`;
      this.colours.set(id, c);
    }
    return c;
  }

  clear(): void {
    this.colours.clear();
    this.next = 0;
  }
}
