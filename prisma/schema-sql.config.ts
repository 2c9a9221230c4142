// Configuration for Prisma 6.19's CLI (installed as `prisma6`), used only by scripts/schema-sql.ts
// to print the SQL that Prisma derives from schema.prisma. Its wasm schema engine works offline
// when given a driver adapter; Prisma 7's CLI needs a native engine for the same command.
import { PrismaPg } from '@prisma/adapter-pg';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: process.env.TG_SCHEMA_FILE,
  adapter: async () => new PrismaPg({ connectionString: process.env.TG_SCHEMA_DIFF_URL }),
};
