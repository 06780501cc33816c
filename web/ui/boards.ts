// The world leaderboard and the room roster. Both redraw only when their content changes, so
// calling them every frame costs a string comparison.
import type { Drawn } from '../interp.js';
import type { Standing } from '../api.js';
import { byId, el } from '../dom.js';
import type { Palette } from '../palette.js';

export class LeaderboardView {
  private readonly list = byId<HTMLOListElement>('leaderboard');
  private key = '';

  show(rows: Standing[], myName: string | null): void {
    const top = rows.slice(0, 10);
    const key = JSON.stringify([top, myName]);
    if (key === this.key) return;
    this.key = key;
    if (top.length === 0) {
      this.list.replaceChildren(el('li', { class: 'empty' }, 'No scores yet'));
      return;
    }
    this.list.replaceChildren(
      ...top.map(([name, score, guest]) => {
        const label = el('span', { class: 'name' }, name);
        // A guest's name is not proven: say so, so no one passes for a signed-in player.
        if (guest) label.append(el('span', { class: 'guest' }, ' (guest)'));
        const li = el('li', {}, label, el('span', { class: 'score' }, String(score)));
        if (name === myName) li.classList.add('me');
        return li;
      }),
    );
  }
}

export class RosterView {
  private readonly list = byId<HTMLUListElement>('roster');
  private key = '';

  show(players: Drawn[], selfId: string, names: ReadonlyMap<string, string>, palette: Palette): void {
    const rows = players
      .map((p) => ({ id: p.id, score: p.score, name: p.id === selfId ? `${names.get(p.id) ?? 'you'} (you)` : names.get(p.id) ?? p.id.slice(0, 8) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    const key = JSON.stringify(rows);
    if (key === this.key) return;
    this.key = key;
    if (rows.length === 0) {
      this.list.replaceChildren(el('li', { class: 'empty' }, 'Nobody here yet'));
      return;
    }
    this.list.replaceChildren(
      ...rows.map((r) => {
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.background = palette.colourOf(r.id);
        const li = el('li', { 'data-id': r.id }, el('span', { class: 'name' }, swatch, r.name), el('span', { class: 'score' }, String(r.score)));
        if (r.id === selfId) li.classList.add('me');
        return li;
      }),
    );
  }
}
