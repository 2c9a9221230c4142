/** `npm run db:migrate`: applies prisma/migrations to DATABASE_URL and prepares the app role. */
import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure } from '@trailguard/runtime';

async function main(): Promise<void> {
  const infra = await ensureInfrastructure(loadConfig(), (line) => console.log(line));
  console.log('database is up to date');
  await infra.stop();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
