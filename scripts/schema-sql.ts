/**
 * Prints the SQL that Prisma generates for prisma/schema.prisma from an empty database.
 * Use it to write a new migration (diff it against the current migrations) and, in
 * test/migrations.int-spec.ts, to prove the migrations produce exactly what schema.prisma says.
 *   DATABASE_URL=postgresql://... node -r @swc-node/register scripts/schema-sql.ts > /tmp/expected.sql
 * The CLI's wasm engine needs a reachable Postgres (any database; nothing is changed in it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function schemaSql(databaseUrl: string): string {
  const root = resolve(__dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'tg-schema-'));
  // Prisma 6 wants a url in the datasource block; Prisma 7 forbids it. The temp copy adds one.
  const schema = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8').replace(
    'provider = "postgresql"',
    'provider = "postgresql"\n  url      = env("TG_SCHEMA_DIFF_URL")',
  );
  const schemaFile = join(dir, 'schema.prisma');
  writeFileSync(schemaFile, schema);
  // Any existing file stops the CLI from downloading native engines it will not use.
  const placeholder = join(dir, 'no-native-engine');
  writeFileSync(placeholder, '');
  try {
    return runPrisma6(root, schemaFile, placeholder, databaseUrl);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runPrisma6(root: string, schemaFile: string, placeholder: string, databaseUrl: string): string {
  return execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/prisma6/build/index.js'),
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema-datamodel',
      schemaFile,
      '--script',
      '--config',
      join(root, 'prisma/schema-sql.config.ts'),
    ],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TG_SCHEMA_FILE: schemaFile,
        TG_SCHEMA_DIFF_URL: databaseUrl,
        PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
        PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    },
  );
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to any reachable Postgres');
  process.stdout.write(schemaSql(url));
}
