// Keys and tokens for the auth tests, made at test time with jose: ES256 and RS256 key pairs, a
// JWKS file of their public halves, and tokens signed however a test needs (expired, wrong
// audience, alg none, ...).
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const ISSUER = 'https://id.example.test';
export const AUDIENCE = 'shoal-test';

export interface TestKey { kid: string; alg: 'ES256' | 'RS256'; privateKey: CryptoKey; publicKey: CryptoKey }

export async function makeKey(kid: string, alg: 'ES256' | 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey };
}

/** Writes a JWKS file holding the public halves of `keys`. */
export async function writeJwks(file: string, keys: TestKey[]): Promise<void> {
  const jwks = { keys: await Promise.all(keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg, use: 'sig' }))) };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(jwks));
}

export async function writePem(file: string, keys: TestKey[]): Promise<void> {
  fs.writeFileSync(file, (await Promise.all(keys.map((k) => exportSPKI(k.publicKey)))).join('\n'));
}

export interface SignOptions {
  sub?: string;
  claims?: JWTPayload;
  iss?: string;
  aud?: string;
  /** Seconds from now (negative: in the past). */
  expIn?: number;
  nbfIn?: number;
  /** Leave out the kid header. */
  noKid?: boolean;
  /** Sign with this key but name another kid. */
  kid?: string;
}

export async function sign(key: TestKey | { secret: string }, o: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...o.claims })
    .setSubject(o.sub ?? 'user-1')
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (o.expIn ?? 600));
  if (o.nbfIn !== undefined) jwt.setNotBefore(now + o.nbfIn);
  if ('secret' in key) return jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(key.secret));
  return jwt.setProtectedHeader(o.noKid ? { alg: key.alg } : { alg: key.alg, kid: o.kid ?? key.kid }).sign(key.privateKey);
}

/** An unsigned token (`alg: none`) with valid claims: must never be accepted. */
export function unsigned(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, iss: ISSUER, aud: AUDIENCE, exp: now + 600, iat: now })}.`;
}
