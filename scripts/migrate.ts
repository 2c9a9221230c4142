/** `npm run db:migrate`: applies prisma/migrations to DATABASE_URL and prepares the app role. */
import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure } from '@trailguard/runtime';

async function main(): Promise<void> {
  // This is the migration step, whatever MIGRATE_ON_START says for the api and worker services.
  const infra = await ensureInfrastructure(loadConfig({ ...process.env, MIGRATE_ON_START: 'true' }), (line) => console.log(line));
  console.log('database is up to date');
  await infra.stop();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
