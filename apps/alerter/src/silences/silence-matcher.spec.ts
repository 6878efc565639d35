import { matchesAll, matcherSchema } from './silence-matcher';

const m = (value: object) => matcherSchema.parse(value);

describe('silence matchers', () => {
  it('match every matcher: equal, not equal, anchored regex, missing label as empty', () => {
    const labels = { venue: 'XNAS', type: 'SPOOFING', desk: 'rates' };
    expect(matchesAll([m({ name: 'venue', value: 'XNAS' }), m({ name: 'type', value: 'SPOOF.*', isRegex: true })], labels)).toBe(true);
    expect(matchesAll([m({ name: 'type', value: 'SPOOF', isRegex: true })], labels)).toBe(false); // anchored like Alertmanager
    expect(matchesAll([m({ name: 'desk', value: 'rates', isEqual: false })], labels)).toBe(false);
    expect(matchesAll([m({ name: 'trader', value: '' })], labels)).toBe(true);
    expect(matchesAll([m({ name: 'venue', value: 'XNAS' }), m({ name: 'desk', value: 'fx' })], labels)).toBe(false);
  });
});
