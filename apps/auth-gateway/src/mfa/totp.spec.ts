import { base32Decode, base32Encode } from './base32';
import { otpauthUri } from './otpauth-uri';
import { AUTHENTICATOR_APP_PARAMS, generateTotpSecret, hotp, hotpValue, timeStepAt, totp, verifyTotp, type TotpAlgorithm, type TotpParams } from './totp';

// RFC 4226 Appendix D: secret "12345678901234567890" (ASCII), counters 0-9; the HMAC-SHA-1
// value, its 31-bit dynamic truncation (decimal) and the 6-digit HOTP.
const RFC4226_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC4226_APPENDIX_D: [number, string, number, string][] = [
  [0, 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0', 1284755224, '755224'],
  [1, '75a48a19d4cbe100644e8ac1397eea747a2d33ab', 1094287082, '287082'],
  [2, '0bacb7fa082fef30782211938bc1c5e70416ff44', 137359152, '359152'],
  [3, '66c28227d03a2d5529262ff016a1e6ef76557ece', 1726969429, '969429'],
  [4, 'a904c900a64b35909874b33e61c5938a8e15ed1c', 1640338314, '338314'],
  [5, 'a37e783d7b7233c083d4f62926c7a25f238d0316', 868254676, '254676'],
  [6, 'bc9cd28561042c83f219324d3c607256c03272ae', 1918287922, '287922'],
  [7, 'a4fb960c0bc06e1eabb804e5b397cdc4b45596fa', 82162583, '162583'],
  [8, '1b3c89f65e6c9e883012052823443f048b4332db', 673399871, '399871'],
  [9, '1637409809a679dc698207310c8c7fc07290d9e5', 645520489, '520489'],
];

// RFC 6238 Appendix B: T0 = 0, X = 30 s, 8 digits; the seed per mode is the ASCII
// "1234567890" repeated to the hash length (20, 32, 64 bytes), as in the RFC's reference code.
const RFC6238_SEEDS: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};
const RFC6238_APPENDIX_B: [number, string, string, TotpAlgorithm][] = [
  [59, '0000000000000001', '94287082', 'SHA1'],
  [59, '0000000000000001', '46119246', 'SHA256'],
  [59, '0000000000000001', '90693936', 'SHA512'],
  [1111111109, '00000000023523EC', '07081804', 'SHA1'],
  [1111111109, '00000000023523EC', '68084774', 'SHA256'],
  [1111111109, '00000000023523EC', '25091201', 'SHA512'],
  [1111111111, '00000000023523ED', '14050471', 'SHA1'],
  [1111111111, '00000000023523ED', '67062674', 'SHA256'],
  [1111111111, '00000000023523ED', '99943326', 'SHA512'],
  [1234567890, '000000000273EF07', '89005924', 'SHA1'],
  [1234567890, '000000000273EF07', '91819424', 'SHA256'],
  [1234567890, '000000000273EF07', '93441116', 'SHA512'],
  [2000000000, '0000000003F940AA', '69279037', 'SHA1'],
  [2000000000, '0000000003F940AA', '90698825', 'SHA256'],
  [2000000000, '0000000003F940AA', '38618901', 'SHA512'],
  [20000000000, '0000000027BC86AA', '65353130', 'SHA1'],
  [20000000000, '0000000027BC86AA', '77737706', 'SHA256'],
  [20000000000, '0000000027BC86AA', '47863826', 'SHA512'],
];

describe('HOTP: RFC 4226 Appendix D', () => {
  it.each(RFC4226_APPENDIX_D)('counter %d: truncation %s… → %d → %s', (counter, _hmac, truncated, code) => {
    expect(hotpValue(RFC4226_SECRET, counter)).toBe(truncated);
    expect(hotp(RFC4226_SECRET, counter)).toBe(code);
  });
});

describe('TOTP: RFC 6238 Appendix B', () => {
  it.each(RFC6238_APPENDIX_B)('t=%d s (T=%s): %s with %s', (seconds, stepHex, code, algorithm) => {
    const params: TotpParams = { algorithm, digits: 8, periodSec: 30 };
    expect(timeStepAt(seconds * 1000)).toBe(Number.parseInt(stepHex, 16));
    expect(totp(RFC6238_SEEDS[algorithm], seconds * 1000, params)).toBe(code);
    expect(verifyTotp(RFC6238_SEEDS[algorithm], code, { params, nowMs: seconds * 1000 })).toEqual({ ok: true, timeStep: Number.parseInt(stepHex, 16) });
  });

  it('6 digits are the last 6 of the 8 (the authenticator-app setting)', () => {
    expect(totp(RFC6238_SEEDS.SHA1, 59_000)).toBe('287082');
    expect(totp(RFC6238_SEEDS.SHA1, 1111111109_000, AUTHENTICATOR_APP_PARAMS)).toBe('081804');
  });
});

describe('verifyTotp', () => {
  const secret = RFC6238_SEEDS.SHA1;
  const now = 1111111109_000; // T = 0x23523EC
  const step = timeStepAt(now);
  const codeAt = (offsetSteps: number) => hotp(secret, step + offsetSteps);

  it('accepts the previous, current and next step (±1 window) and says which matched', () => {
    for (const offset of [-1, 0, 1]) expect(verifyTotp(secret, codeAt(offset), { nowMs: now })).toEqual({ ok: true, timeStep: step + offset });
  });

  it('refuses codes two steps away, or outside a narrower window', () => {
    expect(verifyTotp(secret, codeAt(-2), { nowMs: now })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyTotp(secret, codeAt(2), { nowMs: now })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyTotp(secret, codeAt(1), { nowMs: now, window: 0 })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a replay: the accepted step and every earlier one, inside the window', () => {
    const first = verifyTotp(secret, codeAt(0), { nowMs: now });
    expect(first).toEqual({ ok: true, timeStep: step });
    const lastAcceptedStep = first.ok ? first.timeStep : -1;
    expect(verifyTotp(secret, codeAt(0), { nowMs: now + 20_000, lastAcceptedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, codeAt(-1), { nowMs: now, lastAcceptedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, codeAt(1), { nowMs: now, lastAcceptedStep })).toEqual({ ok: true, timeStep: step + 1 });
  });

  it.each(['', '12345', '1234567', 'abcdef', '12345a', '１２３４５６', '12345678'])('refuses the malformed code %j', (code) => {
    expect(verifyTotp(secret, code, { nowMs: now })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts a code typed with spaces, as apps display it', () => {
    const code = codeAt(0);
    expect(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { nowMs: now })).toMatchObject({ ok: true });
  });

  it('does not accept a code of another secret', () => {
    expect(verifyTotp(generateTotpSecret(), codeAt(0), { nowMs: now }).ok).toBe(false);
  });

  it('refuses short secrets and silly windows', () => {
    expect(() => hotp(Buffer.alloc(10), 0)).toThrow(/at least 16 bytes \(got 10 bytes\)/);
    expect(() => verifyTotp(secret, '123456', { window: 100 })).toThrow(/window: must be an integer from 0 to 10/);
  });

  it('generates seeds as long as the hash, and different each time', () => {
    expect(generateTotpSecret().length).toBe(20);
    expect(generateTotpSecret('SHA256').length).toBe(32);
    expect(generateTotpSecret('SHA512').length).toBe(64);
    expect(generateTotpSecret().equals(generateTotpSecret())).toBe(false);
  });
});

describe('base32 (RFC 4648)', () => {
  // RFC 4648 §10 test vectors.
  it.each([
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ])('BASE32(%j) = %j, and back', (text, encoded) => {
    expect(base32Encode(Buffer.from(text))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(text);
    expect(base32Decode(encoded.replace(/=+$/, '').toLowerCase()).toString()).toBe(text);
  });

  it('round-trips random seeds without padding', () => {
    for (let i = 0; i < 50; i += 1) {
      const bytes = generateTotpSecret(i % 2 ? 'SHA1' : 'SHA512').subarray(0, 16 + (i % 17));
      expect(base32Decode(base32Encode(bytes, { pad: false })).equals(bytes)).toBe(true);
    }
  });

  it.each<[string, RegExp]>([
    ['MZXW6YT1', /invalid character at position 7/],
    ['MZXW6YT!', /invalid character at position 7/],
    ['MZX 6YTB', /invalid character at position 3/],
    ['MZX', /3 characters cannot be a whole number of bytes/],
    ['MY=', /wrong padding/],
    ['MZXW6YTBOI=====', /wrong padding/],
    ['MZ', /non-canonical ending/],
  ])('refuses %j', (text, message) => {
    expect(() => base32Decode(text)).toThrow(message);
  });
});

describe('otpauth URI', () => {
  it('builds the Key Uri Format an authenticator app scans', () => {
    expect(otpauthUri({ issuer: 'Vigil', account: 'alice@example.com', secret: Buffer.from('12345678901234567890') })).toBe(
      'otpauth://totp/Vigil:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigil&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('carries non-default parameters and escapes the label and issuer', () => {
    const uri = otpauthUri({ issuer: 'Vigil Prod', account: 'bob smith', secret: RFC6238_SEEDS.SHA256, params: { algorithm: 'SHA256', digits: 8, periodSec: 30 } });
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.host).toBe('totp');
    expect(decodeURIComponent(parsed.pathname)).toBe('/Vigil Prod:bob smith');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({ secret: base32Encode(RFC6238_SEEDS.SHA256, { pad: false }), issuer: 'Vigil Prod', algorithm: 'SHA256', digits: '8', period: '30' });
    expect(base32Decode(parsed.searchParams.get('secret') ?? '').equals(RFC6238_SEEDS.SHA256)).toBe(true);
  });

  it.each([['issuer', { issuer: 'Vi:gil', account: 'a' }], ['account', { issuer: 'Vigil', account: '' }]] as const)('refuses a bad %s', (name, input) => {
    expect(() => otpauthUri({ ...input, secret: RFC4226_SECRET })).toThrow(new RegExp(`otpauth URI ${name}`));
  });
});
