import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  LookupEventsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { toAwsIngestError, type AwsErrorCode } from '../aws.errors';
import { CustomerAwsClients } from '../clients/customer-aws-clients';
import { AssumedCredentialsCache, type AssumeRoleTarget } from '../credentials/assumed-credentials-cache';
import type { OnboardingModes } from './cloudformation-template';

export interface PermissionCheck {
  permission: string;
  ok: boolean;
  /** Why the permission could not be exercised (e.g. no trail exists yet); ok stays true. */
  skipped?: string;
  error?: { code: AwsErrorCode; awsCode: string | null; message: string };
}

export interface RoleVerification {
  /** True when the role was assumed and every check passed. */
  ok: boolean;
  assumeRole: PermissionCheck;
  /** Empty when AssumeRole failed: nothing else can be checked. */
  permissions: PermissionCheck[];
}

function failure(permission: string, err: unknown): PermissionCheck {
  const e = toAwsIngestError(err, permission);
  return { permission, ok: false, error: { code: e.code, awsCode: e.awsCode, message: e.message } };
}

async function check(permission: string, call: () => Promise<unknown>): Promise<PermissionCheck> {
  try {
    await call();
    return { permission, ok: true };
  } catch (err) {
    return failure(permission, err);
  }
}

/**
 * Assumes the role with the ExternalId, then calls each API the modes need once, so a customer
 * sees exactly which permission is missing.
 */
export async function verifyRolePermissions(
  input: { roleArn: string; externalId: string; region: string; modes: OnboardingModes },
  options: { sts?: STSClient } = {},
): Promise<RoleVerification> {
  const target: AssumeRoleTarget = { roleArn: input.roleArn, externalId: input.externalId };
  // A private cache: verification must prove the role works now, not reuse older credentials.
  const clients = new CustomerAwsClients(new AssumedCredentialsCache({ sessionName: 'trailguard-verify', ...options }), {
    maxAttempts: 2,
  });
  try {
    try {
      await clients.credentials.get(target);
    } catch (err) {
      return { ok: false, assumeRole: failure('sts:AssumeRole', err), permissions: [] };
    }
    const assumeRole: PermissionCheck = { permission: 'sts:AssumeRole', ok: true };
    const cloudtrail = clients.cloudTrail(target, input.region);
    const permissions: PermissionCheck[] = [];
    if (input.modes.polling) {
      permissions.push(await check('cloudtrail:LookupEvents', () => cloudtrail.send(new LookupEventsCommand({ MaxResults: 1 }))));
    }
    let trail: Trail | undefined;
    permissions.push(
      await check('cloudtrail:DescribeTrails', async () => {
        trail = (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList?.[0];
      }),
    );
    const arn = trail?.TrailARN;
    if (arn) {
      const home = clients.cloudTrail(target, trail?.HomeRegion ?? input.region);
      permissions.push(await check('cloudtrail:GetTrailStatus', () => home.send(new GetTrailStatusCommand({ Name: arn }))));
      permissions.push(await check('cloudtrail:GetEventSelectors', () => home.send(new GetEventSelectorsCommand({ TrailName: arn }))));
    } else {
      const skipped = 'no trail to check it on';
      permissions.push({ permission: 'cloudtrail:GetTrailStatus', ok: true, skipped });
      permissions.push({ permission: 'cloudtrail:GetEventSelectors', ok: true, skipped });
    }
    const s3Mode = input.modes.s3;
    if (s3Mode) {
      const s3 = clients.s3(target, input.region);
      const prefix = `${s3Mode.keyPrefix ? `${s3Mode.keyPrefix.replace(/\/+$/, '')}/` : ''}AWSLogs/`;
      let key: string | undefined;
      permissions.push(
        await check('s3:ListBucket', async () => {
          const out = await s3.send(new ListObjectsV2Command({ Bucket: s3Mode.bucket, Prefix: prefix, MaxKeys: 1 }));
          key = out.Contents?.[0]?.Key;
        }),
      );
      const listedKey = key;
      permissions.push(
        listedKey
          ? await check('s3:GetObject', async () => {
              const out = await s3.send(new GetObjectCommand({ Bucket: s3Mode.bucket, Key: listedKey, Range: 'bytes=0-0' }));
              // Drain the body so the connection is released.
              await out.Body?.transformToByteArray();
            })
          : { permission: 's3:GetObject', ok: true, skipped: 'no log file to read yet' },
      );
      permissions.push(await check('cloudtrail:ListPublicKeys', () => cloudtrail.send(new ListPublicKeysCommand({}))));
    }
    return { ok: permissions.every((p) => p.ok), assumeRole, permissions };
  } finally {
    clients.destroy();
  }
}
