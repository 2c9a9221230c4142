import type { z } from 'zod';
import * as s from './response-schemas';

/** Who may call an operation: an API key, the operator token, an account's ingest token, anyone. */
export type Access = 'bearer' | 'operator' | 'ingest' | 'public';

export interface OperationDoc {
  /** The success response's body; null: no body (204) or not JSON (text). */
  schema: z.ZodType | null;
  example: unknown;
  access?: Access;
  /** Text responses (Prometheus exposition format). */
  contentType?: string;
}

/**
 * The response of every operation, by Nest's operationId (`<Controller>_<method>`). The OpenAPI
 * test fails for an operation missing here: a new route adds its line (and `npm run api:client`).
 */
const T = '2026-12-01T09:32:05.000Z';
const TENANT = '7bcf31f4-dd12-4616-a1c4-b9dd5e6bbf30';
const KEY = {
  id: '2139e7ba-a0b4-49b0-8f13-cceec494b280',
  name: 'ci',
  role: 'analyst',
  prefix: 'tg_nGcyCftk',
  createdAt: T,
  lastUsedAt: null,
  revokedAt: null,
};
const RULE = {
  id: 'f8caffc2-4021-4ca4-85bc-b7f38a4c9e20',
  title: 'AWS CloudTrail UpdateTrail with multi-region disabled',
  kind: 'rule',
  source: 'builtin',
  file: 'trailguard/trailguard_cloudtrail_update_trail_multi_region_disabled.yml',
  level: 'high',
  severity: 'high',
  levelOverride: null,
  enabled: true,
  status: 'test',
  tags: ['attack.defense-evasion', 'attack.t1562.008'],
  author: 'Trailguard',
  description: 'Detects an UpdateTrail call that sets IsMultiRegionTrail to false.',
  references: ['https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html'],
};
const ALLOW = {
  id: '4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f',
  principalPattern: 'arn:aws:iam::111122223333:role/CloudAdmin',
  ruleIds: ['87546f43-10bd-43ab-925d-49e334f42335'],
  reason: 'platform team changes trails through change requests',
  createdBy: KEY.id,
  expiresAt: null,
  createdAt: T,
  expired: false,
};
const FINDING = {
  id: '98e9d34a-4829-4fbb-89e6-dddae49c5946',
  kind: 'detection',
  ruleId: RULE.id,
  ruleTitle: RULE.title,
  severity: 'high',
  status: 'open',
  accountId: 'b3932d75-3abf-445f-9978-814efed21aaf',
  actor: 'arn:aws:iam::111122223333:user/mallory',
  tags: RULE.tags,
  region: 'us-east-1',
  sourceIp: '203.0.113.77',
  userAgent: 'aws-cli/2.22.4',
  eventCount: 1,
  firstSeenAt: T,
  lastSeenAt: T,
  windowStart: '2026-12-01T09:00:00.000Z',
  assignee: null,
  allowlistEntryId: null,
  relatedFindingId: null,
  details: null,
  createdAt: T,
  updatedAt: T,
};
const ACCOUNT = {
  id: FINDING.accountId,
  name: 'production',
  externalId: 'tg-0SbcPMdD_7CeZxaZukzzpz1GfHtxjDrC',
  status: 'active',
  statusReason: null,
  awsAccountId: '111122223333',
  roleArn: 'arn:aws:iam::111122223333:role/TrailguardReadOnly',
  regions: ['us-east-1', 'us-west-2'],
  polling: true,
  s3Bucket: null,
  s3Prefix: null,
  hasIngestToken: true,
  verification: { ok: true },
  verifiedAt: T,
  posture: { trails: [{ name: 'org-audit', isMultiRegionTrail: true, isLogging: true }] },
  postureAt: T,
  createdAt: T,
  updatedAt: T,
};
const ONBOARDING = {
  platformAccountId: '999988887777',
  template: { AWSTemplateFormatVersion: '2010-09-09', Resources: {} },
  templateUrl: 'https://trailguard.example.com/v1/aws-accounts/template?externalId=tg-0SbcPMdD_7CeZxaZukzzpz1GfHtxjDrC&polling=true',
  launchUrl: 'https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?templateURL=...',
};
const HEALTH = {
  region: 'us-east-1',
  source: 'polling',
  lastPollAt: T,
  lastSuccessAt: T,
  lagSeconds: 42,
  lastEventTime: T,
  lastKey: null,
  lastError: null,
  eventsIngested: 1832,
};
const WEBHOOK = {
  id: '16fa7ffc-046b-417b-bde8-4ca4275fa59b',
  url: 'https://hooks.example.com/trailguard',
  description: 'SOC intake',
  eventTypes: ['finding.created', 'finding.updated'],
  minSeverity: 'medium',
  payloadFormat: 'standard',
  enabled: true,
  disabledReason: null,
  failingSince: null,
  createdAt: T,
  updatedAt: T,
};
const DELIVERY = {
  id: 'c6aba029-3ced-4919-9833-343c5463a263',
  endpointId: WEBHOOK.id,
  messageId: 'msg_2pQ8k1ZtQ3n5Yb7XcVw9',
  eventType: 'finding.created',
  status: 'succeeded',
  attemptCount: 1,
  nextAttemptAt: null,
  createdAt: T,
  updatedAt: T,
  payload: { type: 'finding.created', timestamp: T, data: { id: FINDING.id, severity: 'high' } },
  attempts: [{ attempt: 1, at: T, statusCode: 204, latencyMs: 38, responseSnippet: '', error: null }],
};
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const RETENTION = {
  retentionDays: null,
  effectiveRetentionDays: 90,
  defaultRetentionDays: 90,
  maxRetentionDays: 365,
  dedupWindowHours: 72,
  deliveryRetentionDays: 30,
  findingEvidenceMax: 100,
};
const page = <T>(item: T) => ({ data: [item], nextCursor: null });

export const OPERATIONS: Record<string, OperationDoc> = {
  HealthController_healthz: { schema: s.healthz, example: { status: 'ok' }, access: 'public' },
  HealthController_readyz: {
    schema: s.readyz,
    example: {
      status: 'ready',
      checks: { postgres: { ok: true, latencyMs: 2 }, redis: { ok: true, latencyMs: 1 }, queues: { ok: true, latencyMs: 2 } },
    },
    access: 'public',
  },
  MetricsController_metrics: {
    schema: null,
    contentType: 'text/plain',
    example:
      '# HELP trailguard_events_ingested_total CloudTrail records accepted\n# TYPE trailguard_events_ingested_total counter\ntrailguard_events_ingested_total{source="upload"} 32\n',
    access: 'public',
  },
  TenantsController_create: {
    schema: s.tenantCreated,
    example: {
      tenant: { id: TENANT, name: 'acme', createdAt: T },
      apiKey: { ...KEY, name: 'initial admin key', role: 'admin', key: 'tg_nGcyCftkUcypshLIcvQstFW7D517YmCgQf6ZcQ9Y' },
    },
    access: 'operator',
  },
  TenantsController_get: { schema: s.tenantSettings, example: { id: TENANT, name: 'acme', createdAt: T, retention: RETENTION } },
  TenantsController_patch: {
    schema: s.tenantSettings,
    example: { id: TENANT, name: 'acme', createdAt: T, retention: { ...RETENTION, retentionDays: 180, effectiveRetentionDays: 180 } },
  },
  ApiKeysController_list: { schema: s.pages.apiKeys, example: page(KEY) },
  ApiKeysController_create: { schema: s.apiKeyWithSecret, example: { ...KEY, key: 'tg_nGcyCftkUcypshLIcvQstFW7D517YmCgQf6ZcQ9Y' } },
  ApiKeysController_revoke: { schema: s.apiKey, example: { ...KEY, revokedAt: T } },
  RulesController_list: { schema: s.pages.rules, example: page(RULE) },
  RulesController_create: { schema: s.ruleWithYaml, example: { ...RULE, source: 'custom', file: undefined, yaml: 'title: ...' } },
  RulesController_test: {
    schema: s.ruleTest,
    example: {
      evaluated: 2,
      matched: 1,
      matches: [{ index: 0, eventId: 'c0ffee00-1d2b-4c3a-8e9f-00000000001e', ruleId: RULE.id, ruleTitle: RULE.title, level: 'high' }],
    },
  },
  RulesController_get: {
    schema: s.ruleWithYaml,
    example: { ...RULE, yaml: 'title: AWS CloudTrail UpdateTrail with multi-region disabled\n...' },
  },
  RulesController_replace: { schema: s.ruleWithYaml, example: { ...RULE, source: 'custom', yaml: 'title: ...' } },
  RulesController_patch: { schema: s.rule, example: { ...RULE, enabled: false } },
  RulesController_remove: { schema: s.deleted, example: { id: RULE.id, deleted: true } },
  AllowlistController_list: { schema: s.pages.allowlist, example: page(ALLOW) },
  AllowlistController_create: { schema: s.allowlistEntry, example: ALLOW },
  AllowlistController_get: { schema: s.allowlistEntry, example: ALLOW },
  AllowlistController_remove: { schema: s.deleted, example: { id: ALLOW.id, deleted: true } },
  FindingsController_list: { schema: s.pages.findings, example: page(FINDING) },
  FindingsController_get: { schema: s.findingDetail, example: FINDING },
  FindingsController_update: { schema: s.finding, example: { ...FINDING, status: 'acknowledged', assignee: 'alice' } },
  FindingsController_activity: {
    schema: s.pages.findingActivity,
    example: page({
      id: 'd4c5e50d-91c3-4c0c-99c6-6453ac436113',
      type: 'created',
      actor: 'trailguard',
      data: { eventCount: 1, suppressed: false },
      createdAt: T,
    }),
  },
  AwsAccountsController_template: { schema: s.cloudFormationTemplate, example: ONBOARDING.template, access: 'public' },
  AwsAccountsController_create: {
    schema: s.awsAccountCreated,
    example: {
      ...ACCOUNT,
      status: 'pending',
      verifiedAt: null,
      ...ONBOARDING,
      ingestToken: 'tgi_-LbzhbnQUzo9Y31qU3WT2HBfnzHLQYbnJg5F9mZ6lho',
    },
  },
  AwsAccountsController_list: { schema: s.pages.awsAccounts, example: page(ACCOUNT) },
  AwsAccountsController_onboarding: {
    schema: s.awsAccountOnboarding,
    example: { accountId: ACCOUNT.id, externalId: ACCOUNT.externalId, ...ONBOARDING },
  },
  AwsAccountsController_get: { schema: s.awsAccountWithHealth, example: { ...ACCOUNT, health: [HEALTH] } },
  AwsAccountsController_update: { schema: s.awsAccount, example: ACCOUNT },
  AwsAccountsController_disconnect: {
    schema: s.awsAccount,
    example: { ...ACCOUNT, status: 'disabled', statusReason: 'disconnected', hasIngestToken: false },
  },
  AwsAccountsController_verify: { schema: s.awsAccount, example: ACCOUNT },
  AwsAccountsController_trailBaseline: {
    schema: s.trailBaseline,
    example: {
      accountId: ACCOUNT.id,
      trailBaseline: {
        takenAt: T,
        takenBy: `api-key:${KEY.id}`,
        trails: [{ name: 'org-audit', isMultiRegionTrail: true, isLogging: true }],
      },
      trailBaselineAt: T,
    },
  },
  AwsAccountsController_sync: {
    schema: s.syncQueued,
    example: {
      queued: [
        { region: 'us-east-1', source: 'polling' },
        { region: 'us-west-2', source: 'polling' },
      ],
    },
  },
  AwsAccountsController_rotate: {
    schema: s.awsAccountWithToken,
    example: { ...ACCOUNT, ingestToken: 'tgi_-LbzhbnQUzo9Y31qU3WT2HBfnzHLQYbnJg5F9mZ6lho' },
  },
  IngestController_upload: {
    schema: s.ingestResult,
    example: {
      accepted: 31,
      rejected: 1,
      errors: [{ position: 7, line: 7, code: 'invalid_json', message: 'line 7 is not JSON' }],
      batches: 1,
    },
  },
  IngestController_eventBridge: { schema: s.ingestResult, example: { accepted: 1, rejected: 0, errors: [], batches: 1 }, access: 'ingest' },
  WebhooksController_list: { schema: s.pages.webhooks, example: page(WEBHOOK) },
  WebhooksController_create: { schema: s.webhookWithSecret, example: { ...WEBHOOK, secret: SECRET } },
  WebhooksController_get: {
    schema: s.webhook,
    example: { ...WEBHOOK, secrets: [{ id: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', createdAt: T, expiresAt: null }] },
  },
  WebhooksController_update: { schema: s.webhook, example: { ...WEBHOOK, minSeverity: 'high' } },
  WebhooksController_remove: { schema: null, example: null },
  WebhooksController_test: {
    schema: s.webhookTest,
    example: { ok: true, statusCode: 204, latencyMs: 41, error: null, delivery: { ...DELIVERY, eventType: 'webhook.test' } },
  },
  WebhooksController_rotate: {
    schema: s.webhookRotated,
    example: { ...WEBHOOK, secret: SECRET, previousSecretsExpireAt: '2026-12-02T09:32:05.000Z' },
  },
  WebhooksController_deliveries: { schema: s.pages.deliveries, example: page(DELIVERY) },
  WebhooksController_redeliver: { schema: s.delivery, example: { ...DELIVERY, status: 'pending', attemptCount: 1, nextAttemptAt: T } },
};
