// Who a player is, as the worker established it at hello and games see it at join.

export interface Identity {
  /** The account (the token's sub); absent for a guest. */
  account?: string;
  /** True for a player seated without a token while the server authenticates (--allow-guests). */
  guest: boolean;
  /** The verified token's claims (only at the join that verified them; not after a resume or restart). */
  claims?: Readonly<Record<string, unknown>>;
}
