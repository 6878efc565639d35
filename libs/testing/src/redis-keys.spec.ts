import { deleteRedisKeysByPrefix, escapeRedisGlob } from './redis-keys';

describe('escapeRedisGlob', () => {
  it('leaves a testPrefix as it is', () => {
    expect(escapeRedisGlob('tabc123.')).toBe('tabc123.');
  });

  it('escapes glob metacharacters so they match literally', () => {
    expect(escapeRedisGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
  });
});

describe('deleteRedisKeysByPrefix', () => {
  it('refuses an empty prefix, which would delete every key', async () => {
    await expect(deleteRedisKeysByPrefix('', 'redis://127.0.0.1:1')).rejects.toThrow(/must not be empty/);
  });
});
