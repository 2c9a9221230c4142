import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { assertAppRoleConfined } from '@trailguard/db';
import { testEnv } from './support/test-env';

/** A role on the run's server (roles are server-wide: each gets a unique name and is dropped after). */
async function withRole(
  attributes: string,
  fn: (url: string, role: string) => Promise<void>,
  setup: (role: string) => string[] = () => [],
): Promise<void> {
  const { ownerUrl } = testEnv();
  const role = `tg_probe_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = new Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN ${attributes} PASSWORD '${password}'`);
    for (const sql of setup(role)) await admin.query(sql);
    const url = new URL(ownerUrl);
    url.username = role;
    url.password = password;
    await fn(url.toString(), role);
  } finally {
    await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  }
}

describe('the process refuses an application role that escapes row-level security', () => {
  it('accepts the role the start-up grants (the one every suite runs as)', async () => {
    await expect(assertAppRoleConfined(testEnv().appUrl)).resolves.toBeUndefined();
  });

  it('refuses a superuser (such as the owner connection given as DATABASE_APP_URL)', async () => {
    await expect(assertAppRoleConfined(testEnv().ownerUrl)).rejects.toThrow(
      /DATABASE_APP_URL connects as role "[^"]+", which can bypass row-level security \(SUPERUSER\)/,
    );
  });

  it('refuses a BYPASSRLS role', async () => {
    await withRole('NOSUPERUSER BYPASSRLS', async (url) => {
      await expect(assertAppRoleConfined(url)).rejects.toThrow(/bypass row-level security \(BYPASSRLS\)/);
    });
  });

  it('refuses a role that owns a table, or inherits from one that does', async () => {
    await withRole(
      'NOSUPERUSER NOBYPASSRLS',
      async (url) => {
        await expect(assertAppRoleConfined(url)).rejects.toThrow(/owns tables .*tg_probe_owned_/);
      },
      (role) => [`CREATE TABLE public.tg_probe_owned_${role} (x int)`, `ALTER TABLE public.tg_probe_owned_${role} OWNER TO ${role}`],
    );
  });
});
