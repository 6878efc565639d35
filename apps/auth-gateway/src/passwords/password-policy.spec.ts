import { checkPassword, MAX_PASSWORD_LENGTH } from './password-policy';

describe('checkPassword (ASVS 5.0 V6)', () => {
  it.each([
    ['7 characters', 'xk3!vQz', 'too_short'],
    ['common: "password"', 'password', 'common_password'],
    ['common regardless of case', 'PassWord', 'common_password'],
    ['common: "12345678"', '12345678', 'common_password'],
    ['common: "iloveyou"', 'iloveyou', 'common_password'],
    ['too long', 'a'.repeat(MAX_PASSWORD_LENGTH + 1), 'too_long'],
    ['contains the username', 'zz-alice-zz-91', 'contains_username'],
  ])('refuses %s', (_name, password, problem) => {
    const result = checkPassword(password, 'alice');
    expect(result).toMatchObject({ ok: false, problem });
    // The message never echoes the password ("password" itself is also the field's name).
    if (password !== 'password') expect(result.message).not.toContain(password);
  });

  it.each([
    ['8 characters, lowercase only (no composition rules)', 'qmvtrsxk'],
    ['64 characters', 'correct horse battery staple '.repeat(3).slice(0, 64)],
    ['128 characters', 'x7'.repeat(64)],
    ['spaces kept as typed', '  gl4cier drift  '],
    ['8 emoji count as 8 characters', '🐙🦑🐳🐬🦈🐟🐠🐡'],
  ])('accepts %s', (_name, password) => {
    expect(checkPassword(password, 'alice')).toEqual({ ok: true });
  });

  it('does not trim: 7 characters plus spaces are 9 characters', () => {
    expect(checkPassword(' xk3!vQz ').ok).toBe(true);
    expect(checkPassword('xk3!vQz').ok).toBe(false);
  });

  it('refuses a value that is not a string', () => {
    expect(checkPassword(12345678)).toMatchObject({ ok: false, problem: 'not_a_string' });
  });
});
