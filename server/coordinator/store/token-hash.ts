// Session tokens are kept only as hashes: the raw token goes to its client once (in `welcome`)
// and is never written anywhere, so the data directory's files do not hand out sessions.
// SHA-256 without a salt is enough: a token is 192 random bits, so there is nothing to guess.
import crypto from 'node:crypto';

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}
