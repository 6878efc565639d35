import { secretPathProblem } from './secret-path';

describe('secret path grammar', () => {
  it.each(['db/audit-writer', 'webhook/pagerduty', 'a', 'signing/audit-writer/checkpoint.v2', '1/2/3/4/5/6/7/8'])('accepts %s', (path) => {
    expect(secretPathProblem(path)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['leading slash', '/db/x'],
    ['trailing slash', 'db/x/'],
    ['double slash', 'db//x'],
    ['dot segment', 'db/./x'],
    ['dot-dot segment', 'db/../x'],
    ['upper case', 'DB/x'],
    ['space', 'db/x y'],
    ['NUL', 'db/x\0y'],
    ['nine segments', '1/2/3/4/5/6/7/8/9'],
    ['long segment', `db/${'a'.repeat(65)}`],
    ['too long', Array.from({ length: 8 }, () => 'a'.repeat(40)).join('/')],
    ['not a string', 42],
  ])('refuses %s', (_what, path) => {
    expect(secretPathProblem(path)).toEqual(expect.any(String));
  });
});
