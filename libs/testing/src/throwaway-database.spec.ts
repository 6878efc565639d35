import { assertIdentifier, withDatabase, withSearchPath } from './throwaway-database';

describe('assertIdentifier', () => {
  it('accepts plain lowercase identifiers', () => {
    expect(assertIdentifier('database', 'vigil_tabc123')).toBe('vigil_tabc123');
  });

  it.each(['', '1abc', 'Abc', 'a-b', 'a;drop', 'x'.repeat(64)])('rejects %j, naming the kind', (name) => {
    expect(() => assertIdentifier('schema', name)).toThrow(/^schema name must be/);
  });
});

describe('withDatabase', () => {
  it('keeps server and credentials, swaps the database', () => {
    expect(withDatabase('postgres://u:p@127.0.0.1:5432/vigil?sslmode=disable', 'vigil_tx')).toBe('postgres://u:p@127.0.0.1:5432/vigil_tx?sslmode=disable');
  });
});

describe('withSearchPath', () => {
  it('sets the libpq options parameter to the schema', () => {
    const url = new URL(withSearchPath('postgres://postgres@127.0.0.1:5432/vigil', 't_abc'));
    expect(url.searchParams.get('options')).toBe('-c search_path=t_abc');
    expect(url.pathname).toBe('/vigil');
  });
});
