// The keys that may sign a player's token (--auth jwt): HS256 secrets from the settings, RS256 or
// ES256 public keys from a PEM file or a JWKS file. Loaded once at start (a bad file stops the
// server with a one-line message) and again on the console's `auth reload`.
import fs from 'node:fs';
import { importJWK, importSPKI, type JWK } from 'jose';
import type { Config } from '../config/schema.js';

export type AuthAlg = 'HS256' | 'RS256' | 'ES256';
export const AUTH_ALGS: readonly AuthAlg[] = ['HS256', 'RS256', 'ES256'];

export interface VerifyKey {
  alg: AuthAlg;
  /** From a JWKS entry; a token naming a kid is only tried against the key with that kid. */
  kid?: string;
  key: CryptoKey | Uint8Array;
}

export class AuthConfigError extends Error {}

/** HMAC keys shorter than the hash are guessable offline from one token (RFC 7518 3.2). */
const MIN_SECRET_BYTES = 32;

export async function loadKeys(config: Config): Promise<VerifyKey[]> {
  const keys: VerifyKey[] = [];
  if (config.jwtSecret) {
    for (const secret of config.jwtSecret.split(',')) {
      const bytes = new TextEncoder().encode(secret.trim());
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new AuthConfigError(`--jwt-secret: each secret must be at least ${MIN_SECRET_BYTES} bytes (one is ${bytes.length})`);
      }
      keys.push({ alg: 'HS256', key: bytes });
    }
  }
  if (config.jwtPublicKey) keys.push(...(await pemKeys(config.jwtPublicKey)));
  if (config.jwtJwks) keys.push(...(await jwksKeys(config.jwtJwks)));
  if (keys.length === 0) {
    throw new AuthConfigError('--auth jwt needs a key: --jwt-secret (or SHOAL_JWT_SECRET), --jwt-public-key FILE or --jwt-jwks FILE');
  }
  return keys;
}

function readFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuthConfigError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function pemKeys(file: string): Promise<VerifyKey[]> {
  const text = readFile('--jwt-public-key', file);
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new AuthConfigError(`--jwt-public-key ${file}: no "BEGIN PUBLIC KEY" PEM block`);
  const out: VerifyKey[] = [];
  for (const [i, pem] of blocks.entries()) {
    // A PEM block does not say which algorithm it is for: RSA keys are RS256, P-256 keys ES256.
    let key: VerifyKey | undefined;
    for (const alg of ['RS256', 'ES256'] as const) {
      try {
        key = { alg, key: await importSPKI(pem, alg) };
        break;
      } catch {
        // not this kind of key
      }
    }
    if (!key) throw new AuthConfigError(`--jwt-public-key ${file}: key ${i + 1} is not an RSA or P-256 public key`);
    out.push(key);
  }
  return out;
}

async function jwksKeys(file: string): Promise<VerifyKey[]> {
  let set: { keys?: unknown };
  try {
    set = JSON.parse(readFile('--jwt-jwks', file)) as { keys?: unknown };
  } catch (err) {
    if (err instanceof AuthConfigError) throw err;
    throw new AuthConfigError(`--jwt-jwks ${file}: not JSON (${(err as Error).message})`);
  }
  if (!set || !Array.isArray(set.keys) || set.keys.length === 0) throw new AuthConfigError(`--jwt-jwks ${file}: no "keys" array`);
  const out: VerifyKey[] = [];
  for (const [i, jwk] of (set.keys as JWK[]).entries()) {
    const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined);
    if (alg !== 'RS256' && alg !== 'ES256') throw new AuthConfigError(`--jwt-jwks ${file}: key ${i + 1} is not an RS256 or ES256 key`);
    if (jwk.d !== undefined) throw new AuthConfigError(`--jwt-jwks ${file}: key ${i + 1} is a private key; give the public keys only`);
    try {
      const key = await importJWK(jwk, alg);
      out.push({ alg: alg as AuthAlg, kid: jwk.kid, key: key });
    } catch (err) {
      throw new AuthConfigError(`--jwt-jwks ${file}: key ${i + 1}: ${(err as Error).message}`);
    }
  }
  return out;
}
