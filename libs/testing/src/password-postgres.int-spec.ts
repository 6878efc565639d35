import { Client } from 'pg';
import { postgresBinDir, startPasswordPostgres, type PasswordPostgres } from './password-postgres';

// The helper's promise: a cluster of its own that refuses a connection without the right password.
const describeIfInitdb = postgresBinDir() ? describe : describe.skip;
if (!postgresBinDir()) console.warn('password-postgres.int-spec skipped: no initdb under /usr/lib/postgresql/<version>/bin');

describeIfInitdb('startPasswordPostgres', () => {
  let pg: PasswordPostgres;
  beforeAll(async () => {
    pg = await startPasswordPostgres();
  }, 60_000);
  afterAll(() => pg?.stop());

  const connect = async (url: string) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      return (await client.query<{ user: string }>('select current_user as user')).rows[0]!.user;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it('asks for the password (scram-sha-256) and accepts the right one', async () => {
    await pg.query(`create role app login password 'right-one'`);
    expect(await connect(pg.url('postgres', { name: 'app', password: 'right-one' }))).toBe('app');
    await expect(connect(pg.url('postgres', { name: 'app', password: 'wrong' }))).rejects.toThrow(/password authentication failed for user "app"/);
    await expect(connect(`postgres://app@127.0.0.1:${pg.port}/postgres`)).rejects.toThrow(/password/);
    expect((await pg.query<{ method: string }>("select auth_method as method from pg_hba_file_rules where type = 'host' limit 1"))[0]?.method).toBe('scram-sha-256');
  });
});
