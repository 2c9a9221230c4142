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
export async function prepareDatabase(
  ownerUrl: string,
  options: { appUrl?: string; appPassword: string },
): Promise<PreparedDatabase> {
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
  return { appUrl, migrations };
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
