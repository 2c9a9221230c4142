import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  accountIdOfRole,
  buildCloudFormationTemplate,
  getPlatformAccountId,
  lookupEventsKey,
  quickCreateUrl,
  RedisRateLimiter,
  TemplatePublisher,
  verifyRolePermissions,
  type OnboardingModes,
  type RoleVerification,
} from '@trailguard/aws';
import {
  AwsAccountsRepository,
  Database,
  DomainEventsRepository,
  IngestCheckpointsRepository,
  type AwsAccount,
  type AwsAccountStatus,
  type PageRequest,
  type Prisma,
  type TenantId,
  type TenantScope,
} from '@trailguard/db';
import { hashSecret } from '../../common/auth';
import { DomainError, notFound } from '../../common/domain-error';
import { JobQueue, KEY_ROOT, type RedisClient } from '@trailguard/queues';
import { REDIS } from '../../common/redis.provider';
import { RUNTIME, type Runtime } from '../../common/runtime';
import { toAccountView, toHealthView, type CreateAccountBody, type UpdateAccountBody, type VerifyBody } from './aws-accounts.dto';

export function modesOf(a: Pick<AwsAccount, 'pollingEnabled' | 's3Bucket' | 's3Prefix'>): OnboardingModes {
  return { polling: a.pollingEnabled, s3: a.s3Bucket ? { bucket: a.s3Bucket, keyPrefix: a.s3Prefix } : null };
}

/** What development answers for the platform account when it has no AWS identity (see README). */
export const DEVELOPMENT_PLACEHOLDER_ACCOUNT_ID = '000000000000';

const newIngestToken = (): string => `tgi_${randomBytes(32).toString('base64url')}`;

@Injectable()
export class AwsAccountsService implements OnApplicationShutdown {
  private readonly logger = new Logger(AwsAccountsService.name);
  private readonly accounts = new AwsAccountsRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();
  private readonly events = new DomainEventsRepository();
  /** The workers' LookupEvents limiter: verification's one call counts against the same 2 rps. */
  private readonly lookupLimiter: RedisRateLimiter;
  /** Set when ONBOARDING_TEMPLATE_BUCKET is: quick-create links then point at S3. */
  private readonly templates: TemplatePublisher | undefined;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(REDIS) redis: RedisClient,
  ) {
    this.lookupLimiter = new RedisRateLimiter(redis, { limit: 2, windowMs: 1000, prefix: `${KEY_ROOT}:` });
    const bucket = runtime.config.ONBOARDING_TEMPLATE_BUCKET;
    this.templates = bucket ? TemplatePublisher.forPlatform(bucket) : undefined;
  }

  onApplicationShutdown(): void {
    this.templates?.destroy();
  }

  private async platformAccountId(): Promise<string> {
    try {
      return await getPlatformAccountId({ env: { PLATFORM_AWS_ACCOUNT_ID: this.runtime.config.PLATFORM_AWS_ACCOUNT_ID } });
    } catch (err) {
      // A newcomer on `npm start` has no AWS credentials: registration (and uploads to the account)
      // must still work. The template then trusts a placeholder that no role can be assumed from.
      if (this.runtime.config.NODE_ENV === 'development') {
        this.warnPlaceholderOnce((err as Error).message);
        return DEVELOPMENT_PLACEHOLDER_ACCOUNT_ID;
      }
      const hint = 'set PLATFORM_AWS_ACCOUNT_ID (12 digits) or give the process AWS credentials and AWS_REGION';
      throw new DomainError(
        'platform_identity_unavailable',
        `cannot determine Trailguard's AWS account (${hint}): ${(err as Error).message}`,
      );
    }
  }

  private placeholderWarned = false;
  private warnPlaceholderOnce(reason: string): void {
    if (this.placeholderWarned) return;
    this.placeholderWarned = true;
    this.logger.warn(
      `no AWS identity (${reason}): development registers accounts with the placeholder platform account ${DEVELOPMENT_PLACEHOLDER_ACCOUNT_ID}; ` +
        'set PLATFORM_AWS_ACCOUNT_ID (or AWS credentials and AWS_REGION) before deploying an onboarding template',
    );
  }

  /** The template and quick-create link for an account's ExternalId and ingestion modes. */
  async onboarding(input: { externalId: string; modes: OnboardingModes; region: string }, publicBaseUrl: string) {
    const platformAccountId = await this.platformAccountId();
    const template = buildCloudFormationTemplate({ platformAccountId, externalId: input.externalId, modes: input.modes });
    const query = new URLSearchParams({ externalId: input.externalId, polling: String(input.modes.polling) });
    if (input.modes.s3) query.set('s3Bucket', input.modes.s3.bucket);
    if (input.modes.s3?.keyPrefix) query.set('s3Prefix', input.modes.s3.keyPrefix);
    const templateUrl = this.templates
      ? await this.publish(this.templates, template)
      : `${publicBaseUrl}/v1/aws-accounts/template?${query.toString()}`;
    return { platformAccountId, template, templateUrl, launchUrl: quickCreateUrl({ templateUrl, region: input.region }) };
  }

  /** The onboarding of a registered account again, with a fresh link (a presigned one expires). */
  async onboardingOf(tenantId: TenantId, id: string, publicBaseUrl: string) {
    const account = await this.db.forTenant(tenantId, (scope) => this.require(scope, id));
    const onboarding = await this.onboarding(
      { externalId: account.externalId, modes: modesOf(account), region: account.regions[0] ?? 'us-east-1' },
      publicBaseUrl,
    );
    return { accountId: account.id, externalId: account.externalId, ...onboarding };
  }

  private async publish(templates: TemplatePublisher, template: object): Promise<string> {
    try {
      return await templates.publish(template);
    } catch (err) {
      const message = `cannot put the CloudFormation template in s3://${this.runtime.config.ONBOARDING_TEMPLATE_BUCKET}: ${(err as Error).message}`;
      throw new DomainError('template_publish_failed', message);
    }
  }

  async create(tenantId: TenantId, body: CreateAccountBody, publicBaseUrl: string) {
    const regions = body.regions ?? [process.env.AWS_REGION || 'us-east-1'];
    const externalId = `tg-${randomBytes(24).toString('base64url')}`;
    const ingestToken = newIngestToken();
    const input = {
      name: body.name,
      regions,
      pollingEnabled: body.polling,
      s3Bucket: body.s3Bucket ?? null,
      s3Prefix: body.s3Prefix ?? null,
    };
    const onboarding = await this.onboarding({ externalId, modes: modesOf(input), region: regions[0]! }, publicBaseUrl);
    const row = await this.db.forTenant(tenantId, (scope) =>
      this.accounts.create(scope, { ...input, externalId, ingestTokenHash: hashSecret(ingestToken) }),
    );
    return { ...toAccountView(row), ...onboarding, ingestToken };
  }

  async list(tenantId: TenantId, page: PageRequest) {
    const result = await this.db.forTenant(tenantId, (scope) => this.accounts.list(scope, page));
    return { data: result.data.map(toAccountView), nextCursor: result.nextCursor };
  }

  async get(tenantId: TenantId, id: string) {
    return this.db.forTenant(tenantId, async (scope) => {
      const account = await this.require(scope, id);
      const health = await this.checkpoints.listForAccount(scope, id);
      return { ...toAccountView(account), health: health.map((c) => toHealthView(c)) };
    });
  }

  async verify(tenantId: TenantId, id: string, body: VerifyBody) {
    const account = await this.db.forTenant(tenantId, (scope) => this.require(scope, id));
    const roleArn = body.roleArn ?? account.roleArn;
    if (!roleArn) throw new DomainError('role_arn_required', 'send { "roleArn": "arn:aws:iam::<account>:role/<name>" }');
    const region = account.regions[0] ?? 'us-east-1';
    if (account.pollingEnabled) await this.lookupLimiter.acquire(lookupEventsKey(accountIdOfRole(roleArn), region));
    const result = await verifyRolePermissions({ roleArn, externalId: account.externalId, region, modes: modesOf(account) });
    // Only a denial says something about the customer's role; throttling, 5xx or our own
    // credentials failing leave the account as it was.
    const inconclusive = [result.assumeRole, ...result.permissions].find((c) => !c.ok && c.error?.code !== 'access_denied');
    if (inconclusive) {
      throw new DomainError(
        'verification_inconclusive',
        `could not complete verification (${inconclusive.permission}: ${inconclusive.error?.code}); retry shortly`,
        { check: inconclusive },
      );
    }
    const status: AwsAccountStatus = result.ok ? 'active' : 'error';
    const verification = { ...result, roleArn, checkedAt: new Date().toISOString() } as unknown as Prisma.InputJsonObject;
    const row = await this.db.forTenant(tenantId, async (scope) => {
      const current = await this.require(scope, id, true);
      const updated = await this.accounts.update(scope, id, {
        roleArn,
        awsAccountId: accountIdOfRole(roleArn),
        verification,
        verifiedAt: new Date(),
        status,
        statusReason: reasonOf(result, roleArn, account.externalId),
      });
      await this.announce(scope, current, updated);
      return updated;
    });
    return toAccountView(row);
  }

  /** The stored account row (for services that work on it after an operation here). */
  row(tenantId: TenantId, id: string): Promise<AwsAccount | null> {
    return this.db.forTenant(tenantId, (scope) => this.accounts.get(scope, id));
  }

  async update(tenantId: TenantId, id: string, body: UpdateAccountBody) {
    const row = await this.db.forTenant(tenantId, async (scope) => {
      const current = await this.require(scope, id, true);
      const updated = await this.accounts.update(scope, id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.regions !== undefined ? { regions: body.regions } : {}),
        ...(body.polling !== undefined ? { pollingEnabled: body.polling } : {}),
        ...(body.s3Bucket !== undefined ? { s3Bucket: body.s3Bucket } : {}),
        ...(body.s3Prefix !== undefined ? { s3Prefix: body.s3Prefix } : {}),
        ...(body.status === 'disabled' && current.status !== 'disabled'
          ? { status: 'disabled' as const, statusReason: 'disabled by an admin' }
          : {}),
      });
      await this.announce(scope, current, updated);
      return updated;
    });
    return toAccountView(row);
  }

  /**
   * Disconnect: the row stays (findings refer to it) but Trailguard forgets how to reach the
   * account — role ARN, ingest token and checkpoints — and stops all ingestion.
   */
  async disconnect(tenantId: TenantId, id: string) {
    const row = await this.db.forTenant(tenantId, async (scope) => {
      const current = await this.require(scope, id, true);
      const updated = await this.accounts.update(scope, id, {
        status: 'disabled',
        statusReason: 'disconnected',
        roleArn: null,
        ingestTokenHash: null,
        verification: null,
      });
      await this.checkpoints.deleteForAccount(scope, id);
      await this.announce(scope, current, updated);
      return updated;
    });
    return toAccountView(row);
  }

  async rotateIngestToken(tenantId: TenantId, id: string) {
    const ingestToken = newIngestToken();
    const row = await this.db.forTenant(tenantId, async (scope) => {
      await this.require(scope, id, true);
      return this.accounts.update(scope, id, { ingestTokenHash: hashSecret(ingestToken) });
    });
    return { ...toAccountView(row), ingestToken };
  }

  /** Poll now: every enabled region (and the bucket), whatever the schedule says. */
  async sync(tenantId: TenantId, id: string) {
    const account = await this.db.forTenant(tenantId, (scope) => this.require(scope, id));
    if (account.status !== 'active') {
      throw new DomainError('account_not_active', `account is ${account.status}; verify it first`);
    }
    if (!account.pollingEnabled && !account.s3Bucket) {
      throw new DomainError('nothing_to_sync', 'polling is off and no bucket is set');
    }
    const at = Date.now();
    const jobs = account.regions.map((region) => ({
      data: { tenantId, accountId: id, region },
      options: { jobId: `poll:${id}:${region}-sync${at}` },
    }));
    if (account.pollingEnabled) await this.queue.addBulk('ingest.poll', jobs);
    if (account.s3Bucket)
      await this.queue.addBulk(
        'ingest.s3',
        jobs.map((j) => ({ ...j, options: { jobId: `s3:${id}:${j.data.region}-sync${at}` } })),
      );
    return {
      queued: account.regions.flatMap((region) => [
        ...(account.pollingEnabled ? [{ region, source: 'polling' }] : []),
        ...(account.s3Bucket ? [{ region, source: 's3' }] : []),
      ]),
    };
  }

  private async require(scope: TenantScope, id: string, forUpdate = false): Promise<AwsAccount> {
    const row = forUpdate ? await this.accounts.getForUpdate(scope, id) : await this.accounts.get(scope, id);
    if (!row) throw notFound('aws account', id);
    return row;
  }

  /** Status changes are announced in the transaction that makes them. */
  private async announce(scope: TenantScope, before: AwsAccount, after: AwsAccount): Promise<void> {
    if (before.status === after.status) return;
    await this.events.record(scope, 'account.status_changed', {
      accountId: after.id,
      name: after.name,
      status: after.status,
      previousStatus: before.status,
      reason: after.statusReason,
    });
  }
}

function reasonOf(result: RoleVerification, roleArn: string, externalId: string): string | null {
  if (result.ok) return null;
  if (!result.assumeRole.ok) {
    return `cannot assume ${roleArn} with ExternalId ${externalId}: check that the role trusts Trailguard's account with this ExternalId (${result.assumeRole.error?.awsCode ?? result.assumeRole.error?.code})`;
  }
  const missing = result.permissions.filter((p) => !p.ok).map((p) => p.permission);
  return `missing permissions: ${missing.join(', ')}`;
}
