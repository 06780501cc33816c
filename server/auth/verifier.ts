// Verifies a player's token at hello (in the worker, once per connection, never per message):
// signature by one of the loaded keys, alg one of HS256/RS256/ES256 (so never `none`), and iss,
// aud, exp and nbf with the configured clock skew. The player is the token's sub.
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/schema.js';
import { checkName } from '../../shared/protocol/text-rules.js';
import { AUTH_ALGS, loadKeys, type AuthAlg, type VerifyKey } from './keys.js';

export type Verified =
  | { ok: true; account: string; name: string | undefined; claims: JWTPayload }
  | { ok: false; code: 'AUTH_INVALID' | 'AUTH_EXPIRED'; message: string };

/** Longest sub kept as an account id: it keys the leaderboard and is stored with each session. */
const MAX_SUB = 256;

export class AuthVerifier {
  private keys: VerifyKey[] = [];

  constructor(private readonly config: Config) {}

  /** (Re)reads the keys; on error the keys in use stay as they were. */
  async load(): Promise<number> {
    this.keys = await loadKeys(this.config);
    return this.keys.length;
  }

  async verify(token: string): Promise<Verified> {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return invalid('not a signed JWT');
    }
    if (!AUTH_ALGS.includes(header.alg as AuthAlg)) return invalid(`alg ${JSON.stringify(header.alg)} is not accepted`);
    const candidates = this.keys.filter((k) => k.alg === header.alg && (header.kid === undefined || k.kid === undefined || k.kid === header.kid));
    if (candidates.length === 0) return invalid(header.kid !== undefined ? `no key with kid ${JSON.stringify(header.kid)}` : `no ${header.alg} key`);
    let last: Verified = invalid('signature does not verify');
    for (const k of candidates) {
      try {
        const { payload } = await jwtVerify(token, k.key, {
          algorithms: [k.alg],
          issuer: this.config.jwtIssuer || undefined,
          audience: this.config.jwtAudience || undefined,
          clockTolerance: this.config.jwtClockSkewS,
          requiredClaims: ['sub', 'exp'],
        });
        return this.identity(payload);
      } catch (err) {
        // The signature is checked before the claims: an expired token was signed by this key.
        if (err instanceof errors.JWTExpired) return { ok: false, code: 'AUTH_EXPIRED', message: 'token expired' };
        if (err instanceof errors.JWTClaimValidationFailed) return invalid(`claim ${err.claim} ${err.reason === 'check_failed' ? 'is not accepted' : err.reason.replace(/_/g, ' ')}`);
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) last = invalid((err as Error).message);
      }
    }
    return last;
  }

  private identity(payload: JWTPayload): Verified {
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB) return invalid(`sub must be a string of 1..${MAX_SUB} characters`);
    const raw = payload[this.config.jwtNameClaim];
    let name: string | undefined;
    if (raw !== undefined) {
      // The issuer's name is held to the same rules as a typed one (no reserved or hidden names).
      const check = typeof raw === 'string' && raw.length > 0 && raw.length <= this.config.nameMax ? checkName(raw, this.config.jwtNameClaim) : null;
      if (!check || !check.ok) return invalid(`claim ${this.config.jwtNameClaim}: ${check && !check.ok ? check.message : `must be a name of 1..${this.config.nameMax} characters`}`);
      name = check.name;
    }
    return { ok: true, account: sub, name, claims: payload };
  }
}

function invalid(message: string): Verified {
  return { ok: false, code: 'AUTH_INVALID', message };
}
