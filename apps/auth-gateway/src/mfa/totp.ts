/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) for MFA.
 *
 * Our own code on node:crypto rather than otplib: otplib 13 (maintained, last release
 * Aug 2026) is ESM-only and six packages (@otplib/core, hotp, totp, uri, a base32 plugin on
 * @scure/base and a crypto plugin on @noble/hashes) for what is one HMAC and a dynamic
 * truncation; its verify does not hand back the matched time step we need to refuse a
 * replayed code. These ~100 lines pass the RFC 4226 Appendix D and RFC 6238 Appendix B
 * vectors (totp.spec.ts), and keep the login path free of extra dependencies.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  /** Time step X of RFC 6238, in seconds. */
  periodSec: number;
}

/** What authenticator apps support everywhere: SHA-1, 6 digits, 30 s. */
export const AUTHENTICATOR_APP_PARAMS: TotpParams = { algorithm: 'SHA1', digits: 6, periodSec: 30 };

// RFC 4226 §4 R6: at least 128 bits; RFC 6238's examples use a key as long as the hash.
const MIN_SECRET_BYTES = 16;
const SEED_BYTES: Record<TotpAlgorithm, number> = { SHA1: 20, SHA256: 32, SHA512: 64 };
const HMAC: Record<TotpAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/** A new seed from the CSPRNG, as long as the hash output (RFC 4226 §4 R6 and RFC 6238 §5.1). */
export function generateTotpSecret(algorithm: TotpAlgorithm = 'SHA1'): Buffer {
  return randomBytes(SEED_BYTES[algorithm]);
}

/** RFC 4226 §5.3: the 31-bit dynamic truncation of HMAC(secret, counter). */
export function hotpValue(secret: Uint8Array, counter: number | bigint, algorithm: TotpAlgorithm = 'SHA1'): number {
  checkSecret(secret);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(HMAC[algorithm], secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return mac.readUInt32BE(offset) & 0x7fffffff;
}

/** RFC 4226 HOTP code: the truncated value's last `digits` decimal digits, zero-padded. */
export function hotp(secret: Uint8Array, counter: number | bigint, { algorithm = 'SHA1', digits = 6 }: Partial<Pick<TotpParams, 'algorithm' | 'digits'>> = {}): string {
  return String(hotpValue(secret, counter, algorithm) % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 T: whole time steps since the Unix epoch (T0 = 0). */
export function timeStepAt(timeMs: number, periodSec: number = AUTHENTICATOR_APP_PARAMS.periodSec): number {
  return Math.floor(timeMs / 1000 / periodSec);
}

/** The TOTP code at a time. */
export function totp(secret: Uint8Array, timeMs: number, params: TotpParams = AUTHENTICATOR_APP_PARAMS): string {
  return hotp(secret, timeStepAt(timeMs, params.periodSec), params);
}

export interface TotpCheck {
  params?: TotpParams;
  /** Epoch milliseconds; default now. */
  nowMs?: number;
  /** Steps accepted either side of now (clock drift, RFC 6238 §5.2); default 1. */
  window?: number;
  /** The time step of the last code this user got accepted: it and earlier ones are refused as replays. */
  lastAcceptedStep?: number;
}

export type TotpResult = { ok: true; timeStep: number } | { ok: false; reason: 'invalid' | 'replayed' };

/**
 * Checks a code against the steps around now. On success, returns the matched time step:
 * the caller stores it as lastAcceptedStep so the same code (or an older one) is never
 * accepted again (RFC 6238 §5.2). Every step of the window is compared in constant time,
 * so timing does not tell which one matched.
 */
export function verifyTotp(secret: Uint8Array, code: string, check: TotpCheck = {}): TotpResult {
  const params = check.params ?? AUTHENTICATOR_APP_PARAMS;
  const window = check.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new TypeError(`verifyTotp window: must be an integer from 0 to 10 (got ${String(window)})`);
  const given = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!new RegExp(`^[0-9]{${params.digits}}$`).test(given)) return { ok: false, reason: 'invalid' };

  const now = timeStepAt(check.nowMs ?? Date.now(), params.periodSec);
  let matched: number | undefined;
  for (let step = now - window; step <= now + window; step += 1) {
    if (step < 0) continue;
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step, params)), Buffer.from(given));
    if (equal && matched === undefined) matched = step;
  }
  if (matched === undefined) return { ok: false, reason: 'invalid' };
  if (check.lastAcceptedStep !== undefined && matched <= check.lastAcceptedStep) return { ok: false, reason: 'replayed' };
  return { ok: true, timeStep: matched };
}

function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new TypeError(`TOTP secret: must be at least ${MIN_SECRET_BYTES} bytes (got ${secret instanceof Uint8Array ? `${secret.length} bytes` : typeof secret})`);
  }
}
