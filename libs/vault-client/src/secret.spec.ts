import { inspect } from 'node:util';
import { Secret, secretInternals } from './secret';

const lease = { id: 'l-1', expiresAt: new Date(Date.now() + 60_000), renewable: true };

describe('Secret', () => {
  it('gives its values by field and never shows them in JSON, inspect, String or template text', () => {
    const secret = new Secret('db/audit-writer', { version: 3, data: { password: 'hunter2-value' }, lease });
    expect(secret.get('password')).toBe('hunter2-value');
    for (const shown of [JSON.stringify({ secret }), inspect(secret), inspect({ nested: { secret } }, { depth: 5, showHidden: true }), String(secret), `${secret}`]) {
      expect(shown).not.toContain('hunter2');
      expect(shown).toContain('[Secret db/audit-writer v3]');
    }
  });

  it('names the path and its fields when a field is missing', () => {
    const secret = new Secret('webhook/pagerduty', { version: 1, data: { token: 't' }, lease });
    expect(() => secret.get('password')).toThrow('secret webhook/pagerduty v1 has no field "password" (it has: token)');
  });

  it('takes a new version in place, tells its listeners, and wipes the old value', () => {
    const secret = new Secret('db/alerter', { version: 1, data: { password: 'old' }, lease });
    const seen: number[] = [];
    secret.onChange((s) => seen.push(s.version));
    expect(secretInternals.replace(secret, { version: 1, data: {}, lease })).toBe(false);
    expect(secretInternals.replace(secret, { version: 2, data: { password: 'new' }, lease })).toBe(true);
    expect([secret.version, secret.get('password'), seen]).toEqual([2, 'new', [2]]);
    secretInternals.wipe(secret);
    expect(secret.fields()).toEqual([]);
  });

  it('tells every listener even when one throws, and reports that error', () => {
    const secret = new Secret('db/alerter', { version: 1, data: { password: 'old' }, lease });
    const heard: string[] = [];
    const errors: unknown[] = [];
    secret.onChange(() => {
      throw new Error('reconnect failed');
    });
    secret.onChange((s) => heard.push(s.get('password')));
    secretInternals.replace(secret, { version: 2, data: { password: 'new' }, lease }, (e) => errors.push(e));
    expect(heard).toEqual(['new']);
    expect(errors).toEqual([new Error('reconnect failed')]);
  });
});
