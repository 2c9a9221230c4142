import { z } from 'zod';
import type { AwsAccount, IngestCheckpoint } from '@trailguard/db';

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region name');
const regions = z
  .array(region)
  .min(1)
  .max(32)
  .transform((r) => [...new Set(r)]);
export const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not an S3 bucket name');
export const prefix = z
  .string()
  .trim()
  .max(200)
  .regex(/^[^\s]*$/, 'no spaces')
  .transform((p) => p.replace(/^\/+|\/+$/g, '') || null);

export const createAccountBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  regions: regions.optional(),
  polling: z.boolean().default(true),
  s3Bucket: bucket.optional(),
  s3Prefix: prefix.optional(),
});
export type CreateAccountBody = z.infer<typeof createAccountBody>;

export const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)');

export const verifyBody = z.strictObject({ roleArn: roleArn.optional() });
export type VerifyBody = z.infer<typeof verifyBody>;

export const updateAccountBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    regions: regions.optional(),
    polling: z.boolean().optional(),
    s3Bucket: bucket.nullable().optional(),
    s3Prefix: prefix.nullable().optional(),
    /** Only disabling here; an account leaves `disabled` by being verified again. */
    status: z.literal('disabled').optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateAccountBody = z.infer<typeof updateAccountBody>;

/** Never includes the ingest token or its hash. */
export function toAccountView(a: AwsAccount) {
  return {
    id: a.id,
    name: a.name,
    externalId: a.externalId,
    status: a.status,
    statusReason: a.statusReason,
    awsAccountId: a.awsAccountId,
    roleArn: a.roleArn,
    regions: a.regions,
    polling: a.pollingEnabled,
    s3Bucket: a.s3Bucket,
    s3Prefix: a.s3Prefix,
    hasIngestToken: a.ingestTokenHash !== null,
    verification: a.verification,
    verifiedAt: a.verifiedAt,
    posture: a.posture,
    postureAt: a.postureAt,
    trailBaseline: a.trailBaseline,
    trailBaselineAt: a.trailBaselineAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** Per region and source: when it last ran, how far behind it is, what went wrong, how much came in. */
export function toHealthView(c: IngestCheckpoint, now = Date.now()) {
  return {
    region: c.region,
    source: c.source,
    lastPollAt: c.lastPollAt,
    lastSuccessAt: c.lastSuccessAt,
    lagSeconds: c.lastSuccessAt ? Math.max(0, Math.round((now - c.lastSuccessAt.getTime()) / 1000)) : null,
    lastEventTime: c.lastEventTime,
    lastKey: c.lastKey,
    lastError: c.lastError,
    eventsIngested: Number(c.eventsIngested),
  };
}
