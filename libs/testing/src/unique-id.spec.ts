import { testPrefix, uniqueId } from './unique-id';

describe('uniqueId', () => {
  it('is lowercase letters and digits of the asked length', () => {
    expect(uniqueId()).toMatch(/^[a-z0-9]{8}$/);
    expect(uniqueId(20)).toMatch(/^[a-z0-9]{20}$/);
  });

  it('does not repeat across many calls', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uniqueId()));
    expect(ids.size).toBe(1000);
  });

  it('rejects a length it cannot honour, naming it', () => {
    expect(() => uniqueId(0)).toThrow(/length must be an integer from 1 to 64, got 0/);
    expect(() => uniqueId(1.5)).toThrow(/got 1.5/);
  });
});

describe('testPrefix', () => {
  it('is a valid Kafka topic-name prefix ending in a dot', () => {
    const prefix = testPrefix();
    expect(prefix).toMatch(/^t[a-z0-9]{6}\.$/);
    // Kafka topic names: [a-zA-Z0-9._-], at most 249 chars.
    expect(`${prefix}trades.raw.dlq`).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });

  it('differs per call, so two test files never share topics', () => {
    expect(testPrefix()).not.toBe(testPrefix());
  });
});
