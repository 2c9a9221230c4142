import { z } from 'zod';

/**
 * Response shapes of the public API, for the OpenAPI document (and so the generated client).
 * Objects are loose: a field added to a view is not an error here, but document it when you add it.
 */
/** Every named schema: the document's components (referenced by $ref from the operations). */
export const components = z.registry<{ id: string; description?: string }>();

const at = z.iso.datetime();
const nullableAt = at.nullable();
const id = z.uuid();
const severity = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .looseObject({
      data: z.array(item),
      nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last'),
    })
    .register(components, { id });
export const deleted = z.looseObject({ id: z.string(), deleted: z.literal(true) }).register(components, { id: 'Deleted' });

export const errorEnvelope = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('stable machine-readable code, e.g. validation_failed, not_found, unauthorized'),
      message: z.string(),
      details: z.unknown().optional().describe('e.g. one { path, message, code } per invalid field'),
      id: z.string().optional().describe('on 500s: the id that also appears in the server log (errorId)'),
    }),
  })
  .register(components, { id: 'ErrorEnvelope' });

export const tenant = z.looseObject({ id, name: z.string(), createdAt: at }).register(components, { id: 'Tenant' });
export const tenantSettings = tenant
  .extend({
    retention: z.looseObject({
      retentionDays: z.number().int().nullable().describe("the tenant's choice; null: the platform default"),
      effectiveRetentionDays: z.number().int(),
      defaultRetentionDays: z.number().int(),
      maxRetentionDays: z.number().int(),
      dedupWindowHours: z.number().int(),
      deliveryRetentionDays: z.number().int(),
      findingEvidenceMax: z.number().int(),
    }),
  })
  .register(components, { id: 'TenantSettings' });
export const apiKey = z
  .looseObject({
    id,
    name: z.string(),
    role: z.enum(['admin', 'analyst', 'viewer']),
    prefix: z.string(),
    createdAt: at,
    lastUsedAt: nullableAt,
    revokedAt: nullableAt,
  })
  .register(components, { id: 'ApiKey' });
export const apiKeyWithSecret = apiKey
  .extend({ key: z.string().describe('tg_...: shown once') })
  .register(components, { id: 'ApiKeyWithSecret' });
export const tenantCreated = z.looseObject({ tenant, apiKey: apiKeyWithSecret }).register(components, { id: 'TenantCreated' });

export const rule = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    kind: z.string().describe('rule or correlation'),
    source: z.enum(['builtin', 'custom']),
    file: z.string().optional(),
    level: z.string().nullable(),
    severity,
    levelOverride: severity.nullable(),
    enabled: z.boolean(),
    status: z.string().nullable(),
    tags: z.array(z.string()),
    author: z.string().nullable(),
    description: z.string().nullable(),
    references: z.array(z.string()),
  })
  .register(components, { id: 'Rule' });
export const ruleWithYaml = rule.extend({ yaml: z.string() }).register(components, { id: 'RuleWithYaml' });
export const ruleTest = z
  .looseObject({
    evaluated: z.number().int(),
    matched: z.number().int(),
    matches: z.array(z.looseObject({ index: z.number().int(), ruleId: z.string(), ruleTitle: z.string(), level: z.string().nullable() })),
  })
  .register(components, { id: 'RuleTestResult' });

export const allowlistEntry = z
  .looseObject({
    id,
    principalPattern: z.string(),
    ruleIds: z.array(z.string()),
    reason: z.string(),
    createdBy: z.string().nullable(),
    expiresAt: nullableAt,
    createdAt: at,
    expired: z.boolean(),
  })
  .register(components, { id: 'AllowlistEntry' });

export const finding = z
  .looseObject({
    id,
    kind: z.enum(['detection', 'correlation', 'posture']),
    ruleId: z.string(),
    ruleTitle: z.string().nullable(),
    severity,
    status: z.enum(['open', 'acknowledged', 'resolved', 'false_positive', 'suppressed']),
    accountId: id.nullable(),
    actor: z.string().nullable(),
    tags: z.array(z.string()),
    region: z.string().nullable(),
    sourceIp: z.string().nullable(),
    userAgent: z.string().nullable(),
    eventCount: z.number().int(),
    firstSeenAt: at,
    lastSeenAt: at,
    windowStart: at,
    assignee: z.string().nullable(),
    allowlistEntryId: id.nullable(),
    relatedFindingId: id.nullable(),
    details: z.unknown(),
    createdAt: at,
    updatedAt: at,
  })
  .register(components, { id: 'Finding' });
export const ocsfFinding = z
  .looseObject({
    class_uid: z.literal(2004),
    category_uid: z.number().int(),
    severity_id: z.number().int(),
    time: z.number(),
    finding_info: z.looseObject({ uid: z.string(), title: z.string() }),
  })
  .register(components, { id: 'OcsfDetectionFinding', description: 'OCSF Detection Finding (class 2004), with ?format=ocsf' });
export const findingDetail = z.union([finding, ocsfFinding]).register(components, { id: 'FindingDetail' });
export const findingActivity = z
  .looseObject({ id, type: z.string(), actor: z.string(), data: z.unknown(), createdAt: at })
  .register(components, { id: 'FindingActivity' });

const health = z.looseObject({
  region: z.string(),
  source: z.string(),
  lastPollAt: nullableAt,
  lastSuccessAt: nullableAt,
  lagSeconds: z.number().int().nullable(),
  lastEventTime: nullableAt,
  lastKey: z.string().nullable(),
  lastError: z.unknown(),
  eventsIngested: z.number().int(),
});
export const awsAccount = z
  .looseObject({
    id,
    name: z.string(),
    externalId: z.string(),
    status: z.enum(['pending', 'active', 'error', 'disabled']),
    statusReason: z.string().nullable(),
    awsAccountId: z.string().nullable(),
    roleArn: z.string().nullable(),
    regions: z.array(z.string()),
    polling: z.boolean(),
    s3Bucket: z.string().nullable(),
    s3Prefix: z.string().nullable(),
    hasIngestToken: z.boolean(),
    verification: z.unknown(),
    verifiedAt: nullableAt,
    posture: z.unknown(),
    postureAt: nullableAt,
    createdAt: at,
    updatedAt: at,
  })
  .register(components, { id: 'AwsAccount' });
export const awsAccountWithHealth = awsAccount.extend({ health: z.array(health) }).register(components, { id: 'AwsAccountWithHealth' });
const onboarding = {
  platformAccountId: z.string().regex(/^\d{12}$/),
  template: z.record(z.string(), z.unknown()).describe('the CloudFormation template'),
  templateUrl: z.string(),
  launchUrl: z.string().describe('CloudFormation quick-create link'),
};
export const awsAccountCreated = awsAccount
  .extend({ ...onboarding, ingestToken: z.string().describe('tgi_...: shown once') })
  .register(components, { id: 'AwsAccountCreated' });
export const awsAccountOnboarding = z
  .looseObject({ accountId: id, externalId: z.string(), ...onboarding })
  .register(components, { id: 'AwsAccountOnboarding' });
export const awsAccountWithToken = awsAccount.extend({ ingestToken: z.string() }).register(components, { id: 'AwsAccountWithIngestToken' });
export const trailBaseline = z
  .looseObject({
    accountId: id,
    trailBaseline: z.looseObject({ takenAt: z.string() }).describe("the trails' configuration accepted as the baseline"),
    trailBaselineAt: z.string(),
  })
  .register(components, { id: 'TrailBaseline' });
export const syncQueued = z
  .looseObject({ queued: z.array(z.looseObject({ region: z.string(), source: z.enum(['polling', 's3']) })) })
  .register(components, { id: 'SyncQueued' });
export const cloudFormationTemplate = z.record(z.string(), z.unknown()).register(components, { id: 'CloudFormationTemplate' });

export const ingestResult = z
  .looseObject({
    accepted: z.number().int(),
    rejected: z.number().int(),
    errors: z.array(
      z.looseObject({
        position: z.union([z.number(), z.string()]),
        line: z.number().int().optional(),
        pointer: z.string().optional(),
        code: z.string(),
        message: z.string(),
      }),
    ),
    errorsTruncated: z.boolean().optional(),
    batches: z.number().int(),
  })
  .register(components, { id: 'IngestResult' });

export const webhook = z
  .looseObject({
    id,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    minSeverity: severity,
    payloadFormat: z.string(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    failingSince: nullableAt,
    createdAt: at,
    updatedAt: at,
    secrets: z.array(z.looseObject({ id, createdAt: at, expiresAt: nullableAt })).optional(),
  })
  .register(components, { id: 'Webhook' });
export const webhookWithSecret = webhook
  .extend({ secret: z.string().describe('whsec_...: shown once') })
  .register(components, { id: 'WebhookWithSecret' });
export const webhookRotated = webhookWithSecret
  .extend({ previousSecretsExpireAt: nullableAt })
  .register(components, { id: 'WebhookSecretRotated' });
export const delivery = z
  .looseObject({
    id,
    endpointId: id,
    messageId: z.string(),
    eventType: z.string(),
    status: z.string(),
    attemptCount: z.number().int(),
    nextAttemptAt: nullableAt,
    createdAt: at,
    updatedAt: at,
    payload: z.unknown(),
    attempts: z.array(
      z.looseObject({
        attempt: z.number().int(),
        at,
        statusCode: z.number().int().nullable(),
        latencyMs: z.number().nullable(),
        responseSnippet: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .register(components, { id: 'WebhookDelivery' });
export const webhookTest = z
  .looseObject({
    ok: z.boolean(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    delivery: delivery.nullable(),
  })
  .register(components, { id: 'WebhookTestResult' });

export const healthz = z.looseObject({ status: z.literal('ok') }).register(components, { id: 'Health' });
export const readyz = z
  .looseObject({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.looseObject({ ok: z.boolean() })) })
  .register(components, { id: 'Readiness' });

export const pages = {
  apiKeys: page(apiKey, 'ApiKeyPage'),
  rules: page(rule, 'RulePage'),
  allowlist: page(allowlistEntry, 'AllowlistPage'),
  findings: page(findingDetail, 'FindingPage'),
  findingActivity: page(findingActivity, 'FindingActivityPage'),
  awsAccounts: page(awsAccount, 'AwsAccountPage'),
  webhooks: page(webhook, 'WebhookPage'),
  deliveries: page(delivery, 'WebhookDeliveryPage'),
};
