import { base32Encode } from './base32';
import { AUTHENTICATOR_APP_PARAMS, type TotpParams } from './totp';

export interface OtpauthUriInput {
  /** Shown by the app as the provider, e.g. "Vigil". */
  issuer: string;
  /** The user's account name, e.g. their login. */
  account: string;
  secret: Uint8Array;
  params?: TotpParams;
}

/**
 * The provisioning URI an authenticator app scans (Key Uri Format):
 * otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30
 * The URI carries the seed: show it once (QR code) and never log it.
 */
export function otpauthUri({ issuer, account, secret, params = AUTHENTICATOR_APP_PARAMS }: OtpauthUriInput): string {
  for (const [name, value] of [['issuer', issuer], ['account', account]] as const) {
    // The label separates issuer and account by ':'; one inside either would misplace the split.
    if (typeof value !== 'string' || value.trim() === '' || value.includes(':')) {
      throw new TypeError(`otpauth URI ${name}: must be a non-empty string without ":"`);
    }
  }
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${base32Encode(secret, { pad: false })}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${params.algorithm}`,
    `digits=${params.digits}`,
    `period=${params.periodSec}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
