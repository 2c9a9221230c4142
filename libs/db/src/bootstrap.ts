import { Client } from 'pg';
import { migrate, type MigrationResult } from './migrator';

export const APP_ROLE = 'trailguard_app';

export interface PreparedDatabase {
  appUrl: string;
  migrations: MigrationResult;
}

/** The app role's URL: the owner URL with the user (and password) swapped. */
export function deriveAppUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

/**
 * Brings a database to the current schema and makes sure the application role exists with
 * exactly the privileges it needs: DML on the tables and the SECURITY DEFINER look-ups, no
 * ownership, no BYPASSRLS. Idempotent; safe on every start.
 */
export async function prepareDatabase(ownerUrl: string, options: { appUrl?: string; appPassword: string }): Promise<PreparedDatabase> {
  const migrations = await migrate(ownerUrl);
  const appUrl = options.appUrl ?? deriveAppUrl(ownerUrl, options.appPassword);
  // Processes starting together (an API and workers) would race on CREATE ROLE and GRANT
  // ("duplicate key", "tuple concurrently updated"): one at a time.
  const lock = new Client({ connectionString: ownerUrl });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext('trailguard:app-role'))");
    if (!options.appUrl) await ensureAppRole(ownerUrl, options.appPassword);
    await grantAppRole(ownerUrl, new URL(appUrl).username);
  } finally {
    await lock.end();
  }
  await assertAppRoleConfined(appUrl);
  return { appUrl, migrations };
}

/** Why a start was refused: the application connection would not be confined by row-level security. */
export class UnsafeAppRoleError extends Error {
  override readonly name = 'UnsafeAppRoleError';
}

/**
 * Tenant isolation rests on row-level security, which a superuser, a BYPASSRLS role or a table
 * owner (policies are FORCEd, but an owner can drop them) escapes. So the process refuses to
 * start on such a DATABASE_APP_URL instead of serving every tenant's rows to every tenant.
 */
export async function assertAppRoleConfined(appUrl: string): Promise<void> {
  const client = new Client({ connectionString: appUrl });
  await client.connect();
  try {
    const role = await client.query<{ name: string; rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    const r = role.rows[0];
    if (r && (r.rolsuper || r.rolbypassrls)) {
      throw new UnsafeAppRoleError(
        `DATABASE_APP_URL connects as role "${r.name}", which can bypass row-level security (${r.rolsuper ? 'SUPERUSER' : 'BYPASSRLS'}): ` +
          `use a role with NOSUPERUSER NOBYPASSRLS that owns no tables (or leave DATABASE_APP_URL unset to use ${APP_ROLE})`,
      );
    }
    // Owning a table, or belonging to a role that does, is as good as owning it.
    const owned = await client.query<{ tablename: string; tableowner: string }>(
      `SELECT tablename, tableowner FROM pg_tables
        WHERE schemaname = 'public' AND pg_has_role(current_user, tableowner, 'USAGE') ORDER BY tablename LIMIT 3`,
    );
    if (owned.rows.length > 0) {
      const which = owned.rows.map((t) => `${t.tablename} (owner ${t.tableowner})`).join(', ');
      throw new UnsafeAppRoleError(
        `DATABASE_APP_URL connects as role "${r?.name ?? '?'}", which owns tables and so is not bound by row-level security: ${which}. ` +
          `Use a role that only has the privileges granted at start (or leave DATABASE_APP_URL unset to use ${APP_ROLE})`,
      );
    }
  } finally {
    await client.end();
  }
}

async function ensureAppRole(ownerUrl: string, password: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    const literal = password.replace(/'/g, "''");
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await client.query(`${verb} ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${literal}'`);
  } catch (error) {
    // Another process may have created it between the check and the CREATE.
    if (!/already exists/.test((error as Error).message)) throw error;
  } finally {
    await client.end();
  }
}

async function grantAppRole(ownerUrl: string, role: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  const r = `"${role.replace(/"/g, '""')}"`;
  try {
    await client.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await client.query(`REVOKE ALL ON TABLE "_prisma_migrations" FROM ${r}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${r}`);
  } finally {
    await client.end();
  }
}
