// Room and world chat. Keyboard first: Enter (from the arena) focuses the input, Enter sends,
// Escape goes back to the arena. "/w text" sends to the world whatever the selector says.
import type { ChatOutMsg, ChatScope } from '../../shared/protocol/messages.js';
import { byId, el } from '../dom.js';

const MAX_LINES = 200;

/**
 * A line the operator wrote (`say`): the server marks it with `operator: true`, which it never
 * sets on a player's line, so it is told apart by that field and never by name. It is drawn in an
 * element and style no player line uses (a badge element, its own class and colours), so no name
 * or text a player chooses can look like it.
 */
function operatorLine(text: string): HTMLLIElement {
  return el('li', { class: 'operator', 'data-origin': 'operator' },
    el('strong', { class: 'op-badge' }, 'Server operator'), ' ', el('bdi', { class: 'op-text' }, text));
}
const MAX_CHARS = 280;

export class ChatView {
  private readonly log = byId<HTMLOListElement>('chat-log');
  private readonly form = byId<HTMLFormElement>('chat-form');
  private readonly input = byId<HTMLInputElement>('chat-input');
  private readonly scope = byId<HTMLSelectElement>('chat-scope');

  constructor(send: (text: string, scope: ChatScope) => void, backToArena: () => void) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      let text = this.input.value.trim();
      let scope = this.scope.value === 'world' ? 'world' : 'room';
      const m = /^\/w(?:orld)?\s+(.*)$/is.exec(text);
      if (m) {
        text = m[1]!.trim();
        scope = 'world';
      }
      if (!text) return;
      send([...text].slice(0, MAX_CHARS).join(''), scope as ChatScope);
      this.input.value = '';
    });
    const escape = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        backToArena();
      }
    };
    this.input.addEventListener('keydown', escape);
    this.scope.addEventListener('keydown', escape);
  }

  focus(): void {
    this.input.focus();
  }

  add(m: ChatOutMsg, selfId: string): void {
    if (m.operator === true) return this.append(operatorLine(m.text));
    const line = el(
      'li',
      { 'data-scope': m.scope, 'data-from': m.from },
      el('span', { class: 'scope' }, m.scope === 'world' ? '[world]' : '[room]'),
      ' ',
      // Name and text each in a <bdi>: right-to-left text cannot reorder them or the colon.
      el('span', { class: 'who' }, el('bdi', {}, m.name), m.from === selfId ? ' (you):' : ':'),
      ' ',
      el('bdi', { class: 'text' }, m.text),
    );
    this.append(line);
  }

  /** Lines the page itself writes (joined, reconnecting, refused). */
  system(text: string): void {
    this.append(el('li', { class: 'system' }, text));
  }

  clear(): void {
    this.log.replaceChildren();
  }

  private append(line: HTMLLIElement): void {
    // Follow new lines only if the reader was already at the bottom.
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
    this.log.append(line);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild!.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}
