import { randomBytes } from 'node:crypto';
import { CiphertextFormatError, formatCiphertext, parseCiphertext } from './ciphertext-format';

describe('transit ciphertext format', () => {
  it('round-trips vigil:v<N>:<base64>', () => {
    const sealed = randomBytes(40);
    const text = formatCiphertext(7, sealed);
    expect(text).toMatch(/^vigil:v7:[A-Za-z0-9+/]+=*$/);
    expect(parseCiphertext(text)).toEqual({ version: 7, sealed });
  });

  it.each([
    ['no prefix', 'abc'],
    ['version 0', `vigil:v0:${randomBytes(30).toString('base64')}`],
    ['leading zero', `vigil:v01:${randomBytes(30).toString('base64')}`],
    ['not base64', 'vigil:v1:!!!!'],
    ['url-safe base64', `vigil:v1:${Buffer.alloc(30, 0xff).toString('base64url')}`],
    ['missing padding', `vigil:v1:${randomBytes(31).toString('base64').replace(/=+$/, '')}`],
    ['too short', `vigil:v1:${randomBytes(10).toString('base64')}`],
    ['other scheme', `vault:v1:${randomBytes(30).toString('base64')}`],
  ])('refuses %s', (_what, text) => {
    expect(() => parseCiphertext(text)).toThrow(CiphertextFormatError);
  });

  it('does not repeat the text in its error', () => {
    expect(() => parseCiphertext('vigil:v1:sup3r-secret')).toThrow(/^(?!.*sup3r)/);
  });
});
