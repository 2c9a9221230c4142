import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevSecrets {
  postgresPassword: string;
  adminToken: string;
  secretsKey: string;
}

/**
 * Secrets the one-machine default generates on first start and keeps under the data dir
 * (mode 0600), so restarts keep working data. Never used when NODE_ENV=production.
 */
export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as DevSecrets;
  await mkdir(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    postgresPassword: randomBytes(18).toString('base64url'),
    adminToken: `tg_op_${randomBytes(24).toString('base64url')}`,
    secretsKey: randomBytes(32).toString('base64'),
  };
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
