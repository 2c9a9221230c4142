import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { JobQueue } from '@trailguard/queues';
import { datasetRecords } from './fixtures';
import { testEnv } from './test-env';

/** `count` realistic records with unique eventIDs, recent event times, the public datasets' mix. */
export function corpus(count: number): Array<Record<string, unknown>> {
  const sample = datasetRecords('combined/records.ndjson');
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    ...sample[i % sample.length],
    eventID: randomUUID(),
    eventTime: new Date(now - (i % 3600) * 1000).toISOString(),
  }));
}

export function spawnWorker(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

export async function ownerQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = [], url = testEnv().ownerUrl): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function ingestedCount(tenantId: string, url?: string): Promise<number> {
  const rows = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM ingested_events WHERE tenant_id = $1', [tenantId], url);
  return rows[0]!.n;
}

/** (rule, actor, window) -> event count, the identity of a tenant's findings. */
export async function findingSignature(tenantId: string, url?: string): Promise<Record<string, number>> {
  const rows = await ownerQuery<{ k: string; n: number }>(
    `SELECT rule_id || '|' || actor || '|' || window_start::text || '|' || status AS k, event_count AS n
     FROM findings WHERE tenant_id = $1`,
    [tenantId],
    url,
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

export async function detectQueueIdle(queue: JobQueue): Promise<boolean> {
  const c = await queue.queue('detect').getJobCounts('waiting', 'active', 'prioritized', 'delayed');
  return (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0) === 0;
}
