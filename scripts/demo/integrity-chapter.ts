/**
 * The logging-integrity chapter, after the attack story: mallory points the trail at a bucket of
 * her own and deletes a delivered log file that recorded her. Trailguard notices both: the trail
 * drifted from its baseline (to a bucket no registered account owns) and CloudTrail's signed
 * digest lists a log file the bucket no longer has. Shared by `npm run demo` and
 * test/logging-integrity.e2e-spec.ts; progress goes through `log`, never asserted on.
 */
import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsSimulator, CloudTrailRecord } from '@trailguard/testing';
import { ApiClient, waitUntil } from './api-client';
import { deployTemplate, type CustomerEstate } from './customer-aws';
import type { StoryLog } from './story';
import { StoryWatcher, type FindingView } from './story-watcher';

export const INTEGRITY_TITLES = {
  foreignBucket: "CloudTrail trail delivers to a bucket outside the tenant's accounts",
  logDeleted: 'CloudTrail log file deleted after delivery',
  blindSpot: 'Activity after logging was narrowed',
} as const;

/** mallory's own AWS account, where her bucket lives. */
export const ATTACKER_ACCOUNT_ID = '666677778888';

export interface ChapterOptions {
  sim: AwsSimulator;
  apiUrl: string;
  apiKey: string;
  /** Trailguard's id of the customer's account. */
  accountId: string;
  estate: CustomerEstate;
  /** What CloudTrail had written for mallory's narrowing: it goes into the log file she deletes. */
  attackerRecords: CloudTrailRecord[];
  log?: StoryLog;
  runPostureCheck?: (account: { accountId: string }) => Promise<void>;
  timeoutMs?: number;
}

export interface ChapterResult {
  attackerBucket: string;
  deletedLogKey: string;
  digestKey: string;
  bucketMove: CloudTrailRecord;
  findings: FindingView[];
}

const keys = (estate: CustomerEstate) => ({ accessKeyId: estate.mallory.accessKeyId, secretAccessKey: estate.mallory.secretAccessKey });

export async function runIntegrityChapter(opts: ChapterOptions): Promise<ChapterResult> {
  const log: StoryLog = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { sim, estate } = opts;
  const api = new ApiClient(opts.apiUrl, opts.apiKey);

  // Trailguard reads the trail bucket too from now on: digests are validated for accounts read through S3.
  await api.call('PATCH', `/v1/aws-accounts/${opts.accountId}`, { body: { s3Bucket: estate.bucket } });
  const onboarding = await api.get<{ template: unknown }>(`/v1/aws-accounts/${opts.accountId}/onboarding`);
  deployTemplate(sim, estate.accountId, onboarding.template);
  log(
    'setup',
    `the account now also reads s3://${estate.bucket} (PATCH /v1/aws-accounts/:id, stack updated with the new template): log files and their signed digests`,
  );

  // CloudTrail delivers the log file that recorded mallory's narrowing, then the hourly digest signing it.
  const logKey = sim.putLogFile(estate.bucket, { accountId: estate.accountId, region: estate.homeRegion, records: opts.attackerRecords });
  const digestKey = sim.deliverDigest(estate.accountId, estate.trailName, estate.homeRegion);
  log(
    'aws',
    `CloudTrail delivers ${logKey.split('/').pop()} and the signed digest ${digestKey.split('/').pop()} (SHA-256 of each log file, RSA signature)`,
  );

  // mallory moves the trail to her own bucket and deletes the log file that names her.
  const attackerBucket = `mallory-drop-${estate.accountId}`;
  sim.createBucket(attackerBucket, ATTACKER_ACCOUNT_ID);
  const before = new Set(sim.events(estate.accountId, estate.homeRegion).map((r) => r.eventID));
  const ct = new CloudTrailClient({ region: estate.homeRegion, credentials: keys(estate) });
  const s3 = new S3Client({ region: estate.homeRegion, credentials: keys(estate), forcePathStyle: true });
  try {
    await ct.send(new UpdateTrailCommand({ Name: estate.trailName, S3BucketName: attackerBucket }));
    await s3.send(new DeleteObjectCommand({ Bucket: estate.bucket, Key: logKey }));
  } finally {
    ct.destroy();
    s3.destroy();
  }
  const bucketMove = sim.events(estate.accountId, estate.homeRegion).find((r) => r.eventName === 'UpdateTrail' && !before.has(r.eventID))!;
  log(
    'aws',
    `mallory calls UpdateTrail S3BucketName=${attackerBucket} (a bucket of account ${ATTACKER_ACCOUNT_ID}), then DeleteObject ${logKey.split('/').pop()}`,
  );

  // Muted first look: the story's findings were told already.
  let muted = true;
  const watcher = new StoryWatcher(api, opts.accountId, (kind, text) => (muted ? undefined : log(kind, text)));
  await watcher.refresh();
  muted = false;
  const has = (title: string) => () => watcher.findings.some((f) => f.ruleTitle === title);
  // Polling brings the bucket move's UpdateTrail (mallory's second one) before the posture check links to it.
  const updateTrailCalls = () =>
    watcher.findings
      .filter((f) => f.ruleTitle === 'AWS CloudTrail UpdateTrail' && f.actor === estate.mallory.arn)
      .reduce((n, f) => n + f.eventCount, 0);
  await waitUntil(
    'the bucket move to be detected',
    async () => (await watcher.refresh(), updateTrailCalls() >= 2),
    timeoutMs,
    () => watcher.describe(),
  );
  if (opts.runPostureCheck) await opts.runPostureCheck({ accountId: opts.accountId });
  for (const title of [INTEGRITY_TITLES.foreignBucket, INTEGRITY_TITLES.logDeleted]) {
    await waitUntil(
      `the finding "${title}"`,
      async () => (await watcher.refresh(), has(title)()),
      timeoutMs,
      () => watcher.describe(),
    );
  }
  const blind = watcher.findings.find((f) => f.ruleTitle === INTEGRITY_TITLES.blindSpot);
  if (blind)
    log('finding', `the blind-spot alert stays on the timeline: CRITICAL "${blind.ruleTitle}" by ${blind.actor} [${blind.id.slice(0, 8)}]`);
  return { attackerBucket, deletedLogKey: logKey, digestKey, bucketMove, findings: watcher.findings };
}
