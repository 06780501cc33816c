// Players' sessions and their tokens: a session is made when a player is first seated and ends
// when it leaves for good; its token (kept only as a hash) resumes it, and only as the account it
// was made for. Also which names belong to accounts, so a guest cannot play under one.
import type { Change, SessionRecord } from '../store/types.js';
import { foldName } from '../../../shared/protocol/text-rules.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { hashToken } from '../store/token-hash.js';
import type { Ledger } from './ledger.js';
import { TokenBytes } from './token-bytes.js';

const tokenBytes = new TokenBytes();

/** World kv namespace: account (token sub) -> the name it last played under. */
export const ACCOUNTS_NS = 'accounts';

export interface NewSession {
  name: string;
  room: string;
  /** --auth jwt: the verified account (token sub), or guest: true. Neither with --auth none. */
  account?: string;
  guest?: boolean;
}

export class Sessions {
  /** Folded names accounts play under -> the account: a guest may not take one. */
  private readonly accountNames = new Map<string, string>();
  /** Sessions loaded with a raw token (written by Shoal 0.1) and hashed: a checkpoint should follow. */
  readonly tokensHashedOnLoad: number = 0;

  constructor(private readonly ledger: Ledger) {
    const world = ledger.view;
    for (const [sub, name] of world.kv.get(ACCOUNTS_NS) ?? []) if (typeof name === 'string') this.accountNames.set(foldName(name), sub);
    for (const s of world.sessionsById.values()) {
      if (s.token === undefined) continue;
      // Indexed by the same hash already (apply.ts); from here on the raw token is gone from memory.
      ledger.hashLoadedToken(s.id, hashToken(s.token));
      this.tokensHashedOnLoad++;
    }
  }

  get(id: string): Readonly<SessionRecord> | undefined {
    return this.ledger.view.sessionsById.get(id);
  }

  all(): Iterable<Readonly<SessionRecord>> {
    return this.ledger.view.sessionsById.values();
  }

  get count(): number {
    return this.ledger.view.sessionsById.size;
  }

  /** The session a token belongs to, if it is still live. */
  byToken(token: string): Readonly<SessionRecord> | undefined {
    return this.ledger.view.sessionsByTokenHash.get(hashToken(token));
  }

  /** The session `token` resumes for `account`; BAD_TOKEN when it is unknown, ended or another's. */
  resumable(token: string, account: string | undefined): Readonly<SessionRecord> {
    const s = this.byToken(token);
    if (!s) throw new CodedError('BAD_TOKEN', 'unknown or expired token');
    // A session resumes only as the account it was made for (a guest's only as a guest).
    if (s.account !== account) throw new CodedError('BAD_TOKEN', 'this token belongs to another account');
    return s;
  }

  /** NAME_TAKEN when a guest asks for a name an account plays under. */
  checkGuestName(name: string, guest: boolean | undefined): void {
    if (guest && this.accountNames.has(foldName(name))) {
      throw new CodedError('NAME_TAKEN', `the name ${JSON.stringify(name)} belongs to an account; sign in or choose another`);
    }
  }

  /** Makes a session, durably; returns it with its raw token (for the client's `welcome` only). */
  create(a: NewSession): { session: SessionRecord; token: string } {
    const n = this.ledger.takePlayerNumber();
    const token = tokenBytes.take(24).toString('base64url');
    const session: SessionRecord = {
      id: 'p' + n.toString(36),
      tokenHash: hashToken(token),
      name: a.name,
      room: a.room,
      score: 0,
    };
    const changes: Change[] = [{ k: 'nextPlayer', n: n + 1 }];
    if (a.account !== undefined) {
      session.account = a.account;
      if (this.ledger.view.kv.get(ACCOUNTS_NS)?.get(a.account) !== a.name) changes.push({ k: 'kv', ns: ACCOUNTS_NS, key: a.account, value: a.name });
    } else if (a.guest) {
      session.guest = true;
    }
    changes.push({ k: 'session', s: session });
    this.ledger.commit(changes);
    if (a.account !== undefined) this.nameAccount(a.account, a.name);
    return { session, token };
  }

  /** The session is over: its token stops working. */
  end(id: string): void {
    this.ledger.commit([{ k: 'sessionEnd', id }]);
  }

  /** Ends a session that cannot resume (its room is gone), even while the store cannot write. */
  endOrKeep(id: string): void {
    this.ledger.commitOrKeep([{ k: 'sessionEnd', id }]);
  }

  /** The account now plays under `name`; its old name is free for guests again. */
  private nameAccount(account: string, name: string): void {
    for (const [folded, owner] of this.accountNames) if (owner === account) this.accountNames.delete(folded);
    this.accountNames.set(foldName(name), account);
  }
}
