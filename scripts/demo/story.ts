/**
 * The attack story, shared by `npm run demo` and test/attack-story.e2e-spec.ts: a customer
 * onboards an AWS account, an allowlisted admin changes the trail harmlessly, an attacker with
 * stolen keys turns the multi-region trail into a single-region one and then works in another
 * region. Everything on Trailguard's side goes through its public HTTP API; everything on the
 * customer's side goes through the real AWS SDK (or the simulator's control API for services it
 * does not speak). Progress is reported through `log`, never asserted on.
 */
import { randomUUID } from 'node:crypto';
import type { AwsSimulator, CloudTrailRecord } from '@trailguard/testing';
import { trailguardClient } from '../api-client';
import { ApiClient, DemoError, ok, waitUntil } from './api-client';
import {
  adminTouchesTrail,
  attackerActsElsewhere,
  attackerNarrowsTrail,
  deployTemplate,
  setUpCustomerEstate,
  type CustomerEstate,
} from './customer-aws';
import { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver';
import { StoryWatcher, type AccountView, type FindingView } from './story-watcher';

export type IngestMode = 'polling' | 's3' | 'eventbridge';
export type TimelineKind = 'setup' | 'aws' | 'ingest' | 'finding' | 'webhook' | 'posture';
export type StoryLog = (kind: TimelineKind, text: string) => void;

export const RULE_TITLES = {
  updateTrail: 'AWS CloudTrail UpdateTrail',
  multiRegionDisabled: 'AWS CloudTrail UpdateTrail with multi-region disabled',
  importantChange: 'AWS CloudTrail Important Change',
  keyPairImport: 'AWS Key Pair Import Activity',
  assumedRole: 'AWS STS AssumeRole Misuse',
  posture: 'No multi-region CloudTrail trail is logging',
  blindSpot: 'Activity after logging was narrowed',
  multiRegionDrift: 'CloudTrail trail no longer multi-region',
} as const;

/** The webhook subscribes to these; account.status_changed stays out (verification precedes the endpoint). */
export const WEBHOOK_EVENT_TYPES: Array<'finding.created' | 'finding.updated' | 'posture.changed'> = [
  'finding.created',
  'finding.updated',
  'posture.changed',
];

export interface ExpectedFinding {
  kind: 'detection' | 'correlation' | 'posture';
  ruleTitle: string;
  severity: string;
  status: 'open' | 'suppressed';
  actor: string;
  eventCount: number;
}

/** Every finding the story must produce, and no other. */
export function expectedFindings(estate: CustomerEstate): ExpectedFinding[] {
  const admin = estate.adminRoleArn;
  const attacker = estate.mallory.arn;
  const d = (ruleTitle: string, severity: string, status: 'open' | 'suppressed', actor: string): ExpectedFinding => ({
    kind: 'detection',
    ruleTitle,
    severity,
    status,
    actor,
    eventCount: 1,
  });
  return [
    d(RULE_TITLES.updateTrail, 'medium', 'suppressed', admin),
    d(RULE_TITLES.importantChange, 'medium', 'suppressed', admin),
    // SigmaHQ flags any assumed-role session; the admin works through one.
    d(RULE_TITLES.assumedRole, 'low', 'suppressed', admin),
    d(RULE_TITLES.multiRegionDisabled, 'high', 'open', attacker),
    d(RULE_TITLES.updateTrail, 'medium', 'open', attacker),
    d(RULE_TITLES.importantChange, 'medium', 'open', attacker),
    d(RULE_TITLES.keyPairImport, 'medium', 'open', attacker),
    { kind: 'posture', ruleTitle: RULE_TITLES.posture, severity: 'high', status: 'open', actor: attacker, eventCount: 0 },
    // Drift from the baseline taken at verification, linked like the posture finding.
    { kind: 'posture', ruleTitle: RULE_TITLES.multiRegionDrift, severity: 'high', status: 'open', actor: attacker, eventCount: 0 },
    // The blind spot: mallory writes (ImportKeyPair) after narrowing the trail.
    { kind: 'correlation', ruleTitle: RULE_TITLES.blindSpot, severity: 'critical', status: 'open', actor: attacker, eventCount: 1 },
  ];
}

export interface StoryOptions {
  sim: AwsSimulator;
  apiUrl: string;
  adminToken: string;
  mode: IngestMode;
  /** The customer's 12-digit AWS account id in the simulator. */
  awsAccountId: string;
  bucket: string;
  log?: StoryLog;
  /**
   * Brings the next trail posture check. Absent: the attacker acts right after a scheduled check,
   * so detection normally runs before the next one; a test passes a hook that runs it on demand.
   */
  runPostureCheck?: (account: { tenantId: string; accountId: string }) => Promise<void>;
  /** Bound of every single wait. */
  timeoutMs?: number;
}

export interface StoryResult {
  tenantId: string;
  apiKey: string;
  accountId: string;
  ingestToken: string;
  estate: CustomerEstate;
  webhook: { id: string; url: string };
  allowlistEntryId: string;
  records: { admin: CloudTrailRecord; attackerTrail: CloudTrailRecord; attackerElsewhere: CloudTrailRecord[] };
  findings: FindingView[];
  account: AccountView;
  webhooks: ReceivedWebhook[];
}

const key = (f: { ruleTitle: string; actor: string; status: string }) => `${f.ruleTitle}|${f.actor}|${f.status}`;

export async function runStory(opts: StoryOptions, receiver: WebhookReceiver): Promise<StoryResult> {
  const log: StoryLog = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const operator = new ApiClient(opts.apiUrl);

  // 1. Trailguard side: a tenant.
  const tenant = await ok(
    trailguardClient(opts.apiUrl, { adminToken: opts.adminToken }).POST('/v1/tenants', {
      body: { name: `acme-${opts.mode}-${Date.now()}` },
    }),
    'POST /v1/tenants',
  );
  const api = operator.withKey(tenant.apiKey.key);
  log('setup', `tenant ${tenant.tenant.id} created (POST /v1/tenants); admin API key ${tenant.apiKey.key.slice(0, 10)}… shown once`);

  // 2. The customer's AWS account as it was before Trailguard: a multi-region trail, an admin role, two users.
  const estate = setUpCustomerEstate(opts.sim, { accountId: opts.awsAccountId, bucket: opts.bucket });
  log(
    'aws',
    `customer account ${estate.accountId}: multi-region trail "${estate.trailName}" logging to s3://${estate.bucket}; role CloudAdmin (assumed by alice); IAM user mallory`,
  );

  // 3. Registration, template, verification.
  const regions = [estate.homeRegion, estate.otherRegion];
  const created = await ok(
    api.typed.POST('/v1/aws-accounts', {
      body: {
        name: `production (${opts.mode})`,
        regions,
        polling: opts.mode === 'polling',
        ...(opts.mode === 's3' ? { s3Bucket: estate.bucket } : {}),
      },
    }),
    'POST /v1/aws-accounts',
  );
  log(
    'setup',
    `AWS account registered (POST /v1/aws-accounts): id ${created.id}, ExternalId ${created.externalId}, ingestion ${opts.mode}, regions ${regions.join(', ')}`,
  );
  log('setup', `quick-create link: ${created.launchUrl.slice(0, 110)}…`);
  const roleArn = deployTemplate(opts.sim, estate.accountId, created.template);
  log('aws', `customer's admin deploys the template: ${roleArn} trusts the platform account under the ExternalId`);
  const verified = await ok(
    api.typed.POST('/v1/aws-accounts/{id}/verify', { params: { path: { id: created.id } }, body: { roleArn } }),
    'verify',
  );
  // The verification report's shape is the AWS checks' own (documented as an object).
  const report = verified.verification as {
    assumeRole: { permission: string; ok: boolean };
    permissions: Array<{ permission: string; ok: boolean }>;
  };
  const checks = [report.assumeRole, ...report.permissions].map((p) => `${p.permission} ${p.ok ? 'ok' : 'DENIED'}`);
  log('setup', `verified (POST /v1/aws-accounts/${created.id}/verify): ${verified.status}; ${checks.join(', ')}`);
  if (verified.status !== 'active')
    throw new DemoError('verification_failed', `verification left the account ${verified.status}: ${verified.statusReason}`);

  // 4. The customer's webhook consumer and the allowlist.
  const hook = await ok(
    api.typed.POST('/v1/webhooks', { body: { url: receiver.url, description: 'security on-call', eventTypes: WEBHOOK_EVENT_TYPES } }),
    'POST /v1/webhooks',
  );
  receiver.useSecret(hook.secret);
  log(
    'setup',
    `webhook ${hook.id} registered for ${receiver.url} (${WEBHOOK_EVENT_TYPES.join(', ')}); secret ${hook.secret.slice(0, 12)}… kept by the receiver`,
  );
  const entry = await ok(
    api.typed.POST('/v1/allowlist', { body: { principalPattern: estate.adminRoleArn, reason: 'cloud platform team' } }),
    'POST /v1/allowlist',
  );
  log('setup', `allowlisted ${estate.adminRoleArn} (POST /v1/allowlist): its matches are kept, suppressed`);

  const watcher = new StoryWatcher(api, created.id, log);
  const wait = <T>(what: string, probe: () => T | null | undefined | false) =>
    waitUntil(
      what,
      async () => (await watcher.refresh(), probe()),
      timeoutMs,
      () => watcher.describe(),
    );
  const has = (list: ExpectedFinding[]) => () => list.every((e) => watcher.findings.some((f) => key(f) === key(e)));
  const expected = expectedFindings(estate);
  const deliver = deliverer(opts, api, created, estate);

  // Posture before the attack: the multi-region trail logs, so losing it is a change.
  await wait('the first trail posture check', () => watcher.account?.posture?.hasLoggingMultiRegionTrail === true);

  // (a) The admin's routine change: suppressed findings only.
  const admin = await adminTouchesTrail(opts.sim, estate);
  log('aws', `alice (assumed-role CloudAdmin/alice) calls UpdateTrail IsMultiRegionTrail=true on "${estate.trailName}": routine`);
  await deliver([admin]);
  await wait("the admin's suppressed findings", has(expected.filter((e) => e.status === 'suppressed')));

  // (b) The attacker narrows the trail, (c) then works where it no longer looks.
  if (!opts.runPostureCheck) await wait('a fresh posture check', watcher.postureCheckedAfter(new Date()));
  // CloudTrail times have whole seconds: a later second keeps "the newest trail change" unambiguous.
  const adminSecond = Date.parse(String(admin.eventTime));
  await new Promise((done) => setTimeout(done, Math.max(0, adminSecond + 1000 - Date.now())));
  const attackerTrail = await attackerNarrowsTrail(opts.sim, estate);
  log(
    'aws',
    `mallory (stolen access key ${estate.mallory.accessKeyId}) calls UpdateTrail IsMultiRegionTrail=false: the trail now logs ${estate.homeRegion} only`,
  );
  const attackerElsewhere = await attackerActsElsewhere(opts.sim, estate);
  log('aws', `mallory in ${estate.otherRegion}: ImportKeyPair "ops-backup", RunInstances p3.16xlarge (events in that region's history)`);
  await deliver([attackerTrail, ...attackerElsewhere]);
  await wait("the attacker's findings", has(expected.filter((e) => e.kind !== 'posture' && e.status === 'open')));

  // The posture check sees the single-region trail and links its finding to the UpdateTrail finding.
  if (opts.runPostureCheck) await opts.runPostureCheck({ tenantId: tenant.tenant.id, accountId: created.id });
  await wait('the posture finding', has(expected.filter((e) => e.kind === 'posture')));
  await wait('the posture to read "no multi-region trail logging"', () => watcher.account?.posture?.hasLoggingMultiRegionTrail === false);

  // Every non-suppressed finding is announced once, plus the posture change. Findings one event
  // raised for one actor share an announcement: its data is the highest one, alertGroup names all.
  const open = () => watcher.findings.filter((f) => f.status !== 'suppressed');
  await waitUntil(
    'the webhook deliveries',
    async () => {
      await watcher.refresh();
      const created = new Set(receiver.received.filter((w) => w.type === 'finding.created').flatMap((w) => announcedFindingIds(w.data)));
      return open().every((f) => created.has(f.id)) && receiver.received.some((w) => w.type === 'posture.changed');
    },
    timeoutMs,
    () => `${receiver.received.map((w) => w.type).join(', ') || 'none'}`,
  );
  const unverified = receiver.received.filter((w) => !w.verified);
  if (unverified.length)
    throw new DemoError('signature_invalid', `${unverified.length} webhook(s) failed verification: ${unverified[0]!.error}`);
  await watcher.refresh();

  return {
    tenantId: tenant.tenant.id,
    apiKey: tenant.apiKey.key,
    accountId: created.id,
    ingestToken: created.ingestToken,
    estate,
    webhook: { id: hook.id, url: receiver.url },
    allowlistEntryId: entry.id,
    records: { admin, attackerTrail, attackerElsewhere },
    findings: watcher.findings,
    account: watcher.account!,
    webhooks: [...receiver.received],
  };
}

/** How records reach Trailguard in each mode: polled, written as log files, or pushed by EventBridge. */
function deliverer(opts: StoryOptions, api: ApiClient, account: { id: string; ingestToken: string }, estate: CustomerEstate) {
  const log = opts.log ?? (() => undefined);
  // CloudTrail names log files by delivery minute; one file per (simulated) 5-minute delivery keeps keys in order.
  let delivery = Math.ceil(Date.now() / 300_000) * 300_000;
  return async (records: CloudTrailRecord[]): Promise<void> => {
    switch (opts.mode) {
      case 'polling':
        return;
      case 's3': {
        for (const region of [...new Set(records.map((r) => String(r.awsRegion)))]) {
          const inRegion = records.filter((r) => r.awsRegion === region);
          const fileKey = opts.sim.putLogFile(estate.bucket, {
            accountId: estate.accountId,
            region,
            records: inRegion,
            time: new Date(delivery),
          });
          delivery += 300_000;
          log(
            'aws',
            `CloudTrail delivers s3://${estate.bucket}/${fileKey.split('/').slice(-1)[0]} (${inRegion.length} event(s), ${region})`,
          );
        }
        return;
      }
      case 'eventbridge': {
        const envelopes = records.map((r) => ({
          version: '0',
          id: randomUUID(),
          'detail-type': 'AWS API Call via CloudTrail',
          source: `aws.${String(r.eventSource).split('.')[0]}`,
          account: estate.accountId,
          time: r.eventTime,
          region: r.awsRegion,
          resources: [],
          detail: r,
        }));
        const res = await api.post<{ accepted: number; rejected: number }>(`/v1/ingest/eventbridge/${account.id}`, envelopes, {
          bearer: account.ingestToken,
        });
        if (res.accepted !== records.length)
          throw new DemoError('push_rejected', `EventBridge push accepted ${res.accepted} of ${records.length}`);
        log(
          'aws',
          `EventBridge rule forwards ${records.length} event(s) to POST /v1/ingest/eventbridge/${account.id}: 202, ${res.accepted} accepted`,
        );
        return;
      }
    }
  };
}

/** The findings a finding.created message names: its data, and every finding of its alert group. */
export function announcedFindingIds(data: Record<string, unknown>): string[] {
  const group = (data['alertGroup'] as { findings?: Array<{ id: string }> } | undefined)?.findings ?? [];
  return [...new Set([String(data['id']), ...group.map((f) => f.id)])];
}
