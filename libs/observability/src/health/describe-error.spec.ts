import { describeError } from './describe-error';

describe('describeError', () => {
  it('uses the message', () => expect(describeError(new Error('timeout expired'))).toBe('timeout expired'));

  it('explains an AggregateError with no message by its inner errors', () => {
    const err = new AggregateError([new Error('connect ECONNREFUSED ::1:5433'), new Error('connect ECONNREFUSED 127.0.0.1:5433')], '');
    expect(describeError(err)).toBe('connect ECONNREFUSED ::1:5433; connect ECONNREFUSED 127.0.0.1:5433');
  });

  it('falls back to the error code', () => {
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
  });

  it('follows the errors a client wraps, as @platformatic/kafka does', () => {
    const network = new Error('Connection to 127.0.0.1:9092 failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9092') });
    const err = Object.assign(new Error('Cannot connect to any broker.'), { errors: [network] });
    expect(describeError(err)).toBe('Cannot connect to any broker: Connection to 127.0.0.1:9092 failed: connect ECONNREFUSED 127.0.0.1:9092');
  });

  it('does not repeat a cause the message already contains', () => {
    const err = new Error('query failed: timeout expired', { cause: new Error('timeout expired') });
    expect(describeError(err)).toBe('query failed: timeout expired');
  });

  it('describes a thrown non-error', () => expect(describeError('nope')).toBe('nope'));

  it('keeps to one short line without URL passwords', () => {
    const text = describeError(new Error(`line one\nredis://:pw@cache:6379 ${'x'.repeat(400)}`));
    expect(text).not.toContain('\n');
    expect(text).not.toContain('pw@');
    expect(text.length).toBeLessThanOrEqual(301);
  });
});
