import { Inject, Injectable } from '@nestjs/common';
import { validateTrailDigests, type AssumeRoleTarget, type DigestChainState, type IntegrityIssue } from '@trailguard/aws';
import {
  Database,
  IngestCheckpointsRepository,
  LoggingIntegrityRepository,
  type AwsAccount,
  type Prisma,
  type TenantId,
} from '@trailguard/db';
import { INTEGRITY_RULES, raiseStateFinding } from '@trailguard/detection';
import { AwsIngestClients } from '../ingest/aws-ingest-clients';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

/** What the account's `integrity` column holds between runs. */
interface IntegrityState {
  /** Per region: the last digest key listed (StartAfter of the next run). */
  positions: Record<string, string | null>;
  chains: Record<string, DigestChainState>;
  /** Chains ("trail|region") already reported as stopped, and regions reported as unlogged. */
  stoppedReported: string[];
  gapsReported: string[];
}

const emptyState = (): IntegrityState => ({ positions: {}, chains: {}, stoppedReported: [], gapsReported: [] });
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonObject;

/** "..._YYYYMMDDTHHMMZ_<unique>.json.gz": when CloudTrail wrote the log file. */
function logKeyTime(key: string | null | undefined): Date | null {
  const m = key ? /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/.exec(key) : null;
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`) : null;
}

/**
 * For accounts read through S3: validates CloudTrail's digests (signature, chain, log file hashes),
 * notices digest delivery stopping, and regions where LookupEvents shows activity that no trail
 * log file covers. Runs after each posture check.
 */
@Injectable()
export class LogIntegrityService {
  private readonly repo = new LoggingIntegrityRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();

  constructor(
    private readonly db: Database,
    private readonly aws: AwsIngestClients,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {}

  async check(tenantId: TenantId, account: AwsAccount, target: AssumeRoleTarget, now = new Date()): Promise<void> {
    if (!account.s3Bucket || !account.awsAccountId) return;
    const { stored, checkpoints } = await this.db.forTenant(tenantId, async (scope) => ({
      stored: (await this.repo.state(scope, account.id))?.integrity as IntegrityState | null | undefined,
      checkpoints: await this.checkpoints.listForAccount(scope, account.id),
    }));
    const state: IntegrityState = { ...emptyState(), ...(stored ?? {}) };
    const issues: IntegrityIssue[] = [];
    for (const region of account.regions) {
      const run = await validateTrailDigests(this.aws.clients, target, {
        bucket: account.s3Bucket,
        keyPrefix: account.s3Prefix,
        accountId: account.awsAccountId,
        region,
        position: state.positions[region] ?? null,
        chains: state.chains,
      });
      issues.push(...run.issues);
      state.positions[region] = run.position;
      state.chains = run.chains;
    }

    const maxAge = this.runtime.config.DIGEST_MAX_AGE_SECONDS * 1000;
    const stopped = Object.entries(state.chains).filter(([, c]) => now.getTime() - Date.parse(c.lastEndTime) > maxAge);
    const newlyStopped = stopped.filter(([k]) => !state.stoppedReported.includes(k));
    state.stoppedReported = stopped.map(([k]) => k);

    const gapMs = this.runtime.config.DELIVERY_GAP_SECONDS * 1000;
    const gaps = account.regions.flatMap((region) => {
      const polled = checkpoints.find((c) => c.region === region && c.source === 'polling')?.lastEventTime;
      const s3 = checkpoints.find((c) => c.region === region && c.source === 's3');
      const lastLog = logKeyTime(s3?.lastKey);
      if (!polled || !s3) return [];
      const since = lastLog ?? account.verifiedAt ?? null;
      return since && polled.getTime() - since.getTime() > gapMs ? [{ region, since, activityUntil: polled }] : [];
    });
    const newGaps = gaps.filter((g) => !state.gapsReported.includes(g.region));
    state.gapsReported = gaps.map((g) => g.region);

    await this.db.forTenant(tenantId, async (scope) => {
      const windowSeconds = this.runtime.config.FINDING_WINDOW_SECONDS;
      // One finding per kind of issue per run, listing every digest and file concerned.
      const byKind = new Map<string, IntegrityIssue[]>();
      for (const i of issues) byKind.set(i.kind, [...(byKind.get(i.kind) ?? []), i]);
      for (const [kind, list] of byKind) {
        await raiseStateFinding(scope, {
          rule: INTEGRITY_RULES[kind]!,
          accountId: account.id,
          at: now,
          windowSeconds,
          region: list[0]!.region,
          linkCause: false,
          details: json({ bucket: account.s3Bucket, issues: list }),
        });
      }
      for (const [chain, c] of newlyStopped) {
        const [trailName, region] = chain.split('|');
        await raiseStateFinding(scope, {
          rule: INTEGRITY_RULES.digest_delivery_stopped!,
          accountId: account.id,
          at: now,
          windowSeconds,
          region: region!,
          linkCause: true,
          details: json({ trailName, region, lastDigest: c.lastKey, lastDigestEndTime: c.lastEndTime, maxAgeSeconds: maxAge / 1000 }),
        });
      }
      for (const g of newGaps) {
        await raiseStateFinding(scope, {
          rule: INTEGRITY_RULES.delivery_gap!,
          accountId: account.id,
          at: now,
          windowSeconds,
          region: g.region,
          linkCause: true,
          details: json({
            region: g.region,
            unloggedSince: g.since.toISOString(),
            activitySeenUntil: g.activityUntil.toISOString(),
            windowSeconds: gapMs / 1000,
          }),
        });
      }
      await this.repo.setIntegrity(scope, account.id, json(state));
    });
  }
}
