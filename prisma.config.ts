// Prisma 7 CLI configuration: used by `prisma generate` only. Migrations are applied by
// libs/db's migrator (see README "Database") because Prisma 7's migrate needs a native engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
