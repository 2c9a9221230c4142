/**
 * `npm run demo`: the CloudTrail-tampering story end to end, in one process and about a minute.
 * An in-process AWS simulator (reached by the SDK only through AWS_ENDPOINT_URL & co.), Trailguard's
 * API and workers on the embedded default under .data/demo (wiped first; DATABASE_URL / REDIS_URL
 * are honoured), a webhook receiver verifying signatures; then the story of scripts/demo/story.ts
 * through the public API, printed as a timeline with the curl commands to look at the result.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '@trailguard/api-app';
import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure, freePort } from '@trailguard/runtime';
import { AwsSimulator } from '@trailguard/testing';
import { startWorkers } from '@trailguard/worker-app';
import { DemoError } from './demo/api-client';
import { announcedFindingIds, runStory, type StoryResult, type TimelineKind } from './demo/story';
import { runIntegrityChapter } from './demo/integrity-chapter';
import { WebhookReceiver } from './demo/webhook-receiver';

const DATA_DIR = resolve(__dirname, '..', '.data', 'demo');
const DEADLINE_MS = 110_000;
const PLATFORM_ACCOUNT = '123456789012';
const CUSTOMER_ACCOUNT = '111122223333';

/** `npm run demo -- --keep`: keep serving after the story, until Ctrl-C, to try the curl commands. */
const KEEP = process.argv.includes('--keep');
const started = Date.now();
const LABELS: Record<TimelineKind, string> = {
  setup: 'SETUP',
  aws: 'AWS',
  ingest: 'INGESTED',
  finding: 'FINDING',
  webhook: 'WEBHOOK',
  posture: 'POSTURE',
};

function line(kind: TimelineKind, text: string): void {
  const now = new Date();
  const clock = now.toISOString().slice(11, 23);
  const rel = `+${((now.getTime() - started) / 1000).toFixed(1)}s`.padStart(7);
  process.stdout.write(`${clock} ${rel}  ${LABELS[kind].padEnd(8)} ${text}\n`);
}

const say = (text = '') => process.stdout.write(`${text}\n`);

/** Only the standard SDK settings point Trailguard at the simulator; anything else from the shell is dropped. */
function pointSdkAt(sim: AwsSimulator, keys: { accessKeyId: string; secretAccessKey: string }): void {
  for (const name of Object.keys(process.env)) {
    if (/^AWS_(ENDPOINT_URL\w*|PROFILE|SESSION_TOKEN|DEFAULT_REGION)$/.test(name) || name === 'PLATFORM_AWS_ACCOUNT_ID')
      delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  });
}

async function main(): Promise<number> {
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  // Ctrl-C, SIGTERM or the deadline end the run the same way: through the cleanups below.
  let stop: (reason: DemoError) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(() => undefined);
  const watchdog = setTimeout(() => stop(new DemoError('deadline', `not finished after ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  process.once('SIGINT', () => stop(new DemoError('interrupted', 'interrupted')));
  process.once('SIGTERM', () => stop(new DemoError('interrupted', 'terminated')));
  let keeping = false;
  const run = async (): Promise<number> => {
    say('Trailguard demo: CloudTrail tampering (T1562.008) caught end to end, in one process');
    say();
    await rm(DATA_DIR, { recursive: true, force: true });

    const sim = new AwsSimulator();
    await sim.start();
    cleanups.push(['AWS simulator', () => sim.stop()]);
    const platform = sim.createPlatformAccount({ accountId: PLATFORM_ACCOUNT });
    pointSdkAt(sim, platform);
    line('setup', `AWS simulator (STS, CloudTrail, S3) on ${sim.endpoint}; platform account ${platform.accountId}; AWS_ENDPOINT_URL set`);

    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR,
      HOST: '127.0.0.1',
      PORT: String(port),
      POLL_INTERVAL_SECONDS: '1',
      POSTURE_INTERVAL_SECONDS: '4',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: process.env.DEMO_LOG_LEVEL ?? 'silent',
    });
    const infra = await ensureInfrastructure(config, (m) => line('setup', m));
    cleanups.push([
      infra.embedded.postgres || infra.embedded.redis ? 'embedded Postgres and Redis' : 'database connections',
      () => infra.stop(),
    ]);
    const runtime = {
      config,
      appDatabaseUrl: infra.appUrl,
      redisUrl: infra.redisUrl,
      adminToken: infra.adminToken,
      secretsKey: infra.secretsKey,
    };
    const api: NestExpressApplication = await createApiApp(runtime);
    cleanups.push(['API', () => api.close()]);
    const workers: INestApplicationContext = await startWorkers(runtime);
    cleanups.push(['workers', () => workers.close()]);
    await api.listen(port, '127.0.0.1');
    const apiUrl = `http://127.0.0.1:${port}`;
    line(
      'setup',
      `Trailguard API and workers on ${apiUrl} (Postgres: ${infra.embedded.postgres ? 'embedded' : 'DATABASE_URL'}, Redis: ${infra.embedded.redis ? 'redis-server child' : 'REDIS_URL'}; polling every 1 s, posture every 4 s)`,
    );

    const receiver = await WebhookReceiver.start();
    cleanups.push(['webhook receiver', () => receiver.close()]);
    receiver.onDelivery((w) =>
      line(
        'webhook',
        `${w.type.padEnd(15)} webhook-id ${w.webhookId}: ${w.verified ? 'signature verified' : `SIGNATURE REJECTED (${w.error})`}${describeData(w.type, w.data)}`,
      ),
    );
    line('setup', `webhook receiver on ${receiver.url}, verifying with standardwebhooks`);

    const result = await runStory(
      {
        sim,
        apiUrl,
        adminToken: infra.adminToken,
        mode: 'polling',
        awsAccountId: CUSTOMER_ACCOUNT,
        bucket: 'acme-cloudtrail-logs',
        log: line,
      },
      receiver,
    );
    say();
    say('Chapter: the attacker moves the trail bucket and deletes a log file');
    const chapter = await runIntegrityChapter({
      sim,
      apiUrl,
      apiKey: result.apiKey,
      accountId: result.accountId,
      estate: result.estate,
      attackerRecords: [result.records.attackerTrail],
      log: line,
    });
    summary({ ...result, findings: chapter.findings }, apiUrl, infra.adminToken, KEEP);
    if (KEEP) {
      clearTimeout(watchdog);
      keeping = true;
      await stopped;
    }
    return 0;
  };
  try {
    const running = run();
    running.catch(() => undefined);
    return await Promise.race([running, stopped]);
  } catch (error) {
    if (keeping) {
      say('stopping');
      return 0;
    }
    const message =
      error instanceof DemoError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`\ndemo failed: ${message}\n`);
    return 1;
  } finally {
    for (const [what, close] of cleanups.reverse()) {
      await close().catch((e: unknown) => process.stderr.write(`demo: closing the ${what} failed: ${(e as Error).message}\n`));
    }
    clearTimeout(watchdog);
  }
}

function describeData(type: string, data: Record<string, unknown>): string {
  if (type === 'finding.created') {
    const more = announcedFindingIds(data).length - 1;
    return ` (${String(data.severity)} "${String(data.ruleTitle)}"${more > 0 ? ` and ${more} more finding(s) of the same event` : ''})`;
  }
  if (type === 'posture.changed') {
    const now = (data.posture as { hasLoggingMultiRegionTrail?: boolean } | undefined)?.hasLoggingMultiRegionTrail;
    const before = (data.previous as { hasLoggingMultiRegionTrail?: boolean } | null | undefined)?.hasLoggingMultiRegionTrail;
    return ` (multi-region trail logging: ${String(before)} -> ${String(now)})`;
  }
  return '';
}

function summary(r: StoryResult, apiUrl: string, adminToken: string, keep: boolean): void {
  const auth = `-H 'Authorization: Bearer ${r.apiKey}'`;
  const byId = new Map(r.findings.map((f) => [f.id, f]));
  say();
  say(`Findings of account ${r.accountId} (${r.findings.length}):`);
  for (const f of r.findings) {
    const cause = f.relatedFindingId ? `  <- caused by "${byId.get(f.relatedFindingId)?.ruleTitle ?? f.relatedFindingId}"` : '';
    say(
      `  ${f.severity.padEnd(6)} ${f.status.padEnd(10)} ${f.kind.padEnd(9)} ${f.ruleTitle.padEnd(52)} ${f.actor}  events=${f.eventCount}${cause}`,
    );
  }
  const posture = r.findings.find((f) => f.ruleTitle === 'No multi-region CloudTrail trail is logging');
  const cause = posture?.relatedFindingId ? byId.get(posture.relatedFindingId) : undefined;
  if (cause && cause.actor !== r.estate.mallory.arn)
    say(`  note: the posture finding was linked to ${cause.actor}'s change (the check ran before the attacker's event was detected)`);
  say();
  const suppressedIds = new Set(r.findings.filter((f) => f.status === 'suppressed').map((f) => f.id));
  const aboutSuppressed = r.webhooks.filter((w) => suppressedIds.has(String(w.data.id))).length;
  say(
    `Webhooks received (${r.webhooks.length}, ${r.webhooks.filter((w) => w.verified).length} with a verified signature, ${aboutSuppressed} about a suppressed finding):`,
  );
  for (const w of r.webhooks)
    say(
      `  ${w.receivedAt.toISOString().slice(11, 23)}  ${w.type.padEnd(15)} ${w.webhookId}  ${w.verified ? 'signature verified' : 'REJECTED'}`,
    );
  say();
  say('Ingestion health (GET /v1/aws-accounts/:id):');
  for (const h of r.account.health)
    say(
      `  ${h.source.padEnd(8)} ${h.region.padEnd(10)} ${h.eventsIngested} event(s), lag ${h.lagSeconds ?? '-'} s, last error: ${h.lastError ?? 'none'}`,
    );
  say();
  say(
    keep
      ? 'Look at it yourself (serving until Ctrl-C):'
      : `Look at it yourself: \`npm run demo -- --keep\` keeps serving after the story; or serve this run's data (kept in ${DATA_DIR}) with\n  DATA_DIR=.data/demo HOST=127.0.0.1 PORT=${new URL(apiUrl).port} RUN_WORKERS=false npm start`,
  );
  say(`  curl -s ${apiUrl}/v1/findings ${auth}`);
  say(`  curl -s '${apiUrl}/v1/findings?status=open&severity=high' ${auth}`);
  say(`  curl -s '${apiUrl}/v1/findings?status=suppressed' ${auth}`);
  if (posture) say(`  curl -s ${apiUrl}/v1/findings/${posture.id} ${auth}`);
  if (posture) say(`  curl -s '${apiUrl}/v1/findings/${posture.id}?format=ocsf' ${auth}   # as an OCSF Detection Finding`);
  say(`  curl -s ${apiUrl}/v1/aws-accounts/${r.accountId} ${auth}`);
  say(`  curl -s ${apiUrl}/v1/webhooks/${r.webhook.id}/deliveries ${auth}`);
  say(`  curl -s ${apiUrl}/v1/allowlist ${auth}`);
  say(
    `  curl -s -X POST ${apiUrl}/v1/tenants -H 'X-Admin-Token: ${adminToken}' -H 'Content-Type: application/json' -d '{"name":"another"}'`,
  );
  say(`  queue dashboard: ${apiUrl}/queues (any user name, the operator token as the password)`);
  say();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${String(error)}\n`);
    process.exit(1);
  },
);
