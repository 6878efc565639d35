import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signature', () => {
  const body = '{"version":"4"}';
  const now = 1_772_461_800;

  it('is v1= HMAC-SHA256 over "<timestamp>.<body>" and verifies only the same secret, body and a fresh timestamp', () => {
    const signature = signWebhook('s3cret', now, body);
    expect(signature).toBe(`v1=${createHmac('sha256', 's3cret').update(`${now}.${body}`).digest('hex')}`);
    expect(verifyWebhook('s3cret', String(now), body, signature, { nowSec: now + 10 })).toBe(true);
    expect(verifyWebhook('other', String(now), body, signature, { nowSec: now })).toBe(false);
    expect(verifyWebhook('s3cret', String(now), `${body} `, signature, { nowSec: now })).toBe(false);
    expect(verifyWebhook('s3cret', String(now + 1), body, signature, { nowSec: now })).toBe(false);
    expect(verifyWebhook('s3cret', String(now), body, signature, { nowSec: now + 301 })).toBe(false); // replayed later
    expect(verifyWebhook('s3cret', 'abc', body, signature, { nowSec: now })).toBe(false);
  });
});
