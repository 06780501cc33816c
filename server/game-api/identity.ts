// Who a player is, as a room sees it at join: the worker establishes it at hello (from a verified
// token, or as a guest) and hands the game only this, never the token or the verifier.

export interface Identity {
  /** The account (the token's sub); absent for a guest. */
  account?: string;
  /** True for a player seated without a token while the server authenticates (--allow-guests). */
  guest: boolean;
  /** The verified token's claims (only at the join that verified them; not after a resume or restart). */
  claims?: Readonly<Record<string, unknown>>;
}
