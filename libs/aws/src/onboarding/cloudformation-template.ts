export interface OnboardingModes {
  /** CloudTrail LookupEvents polling. */
  polling: boolean;
  /** Reading trail log files from the customer's bucket. */
  s3?: { bucket: string; keyPrefix?: string | null; kmsKeyArn?: string | null } | null;
}

export interface TemplateInput {
  platformAccountId: string;
  externalId: string;
  modes: OnboardingModes;
  roleName?: string;
}

/** Trail posture is always read (DescribeTrails, GetTrailStatus, GetEventSelectors). */
export const POSTURE_ACTIONS = ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'] as const;

/** Every IAM action the chosen modes need, in the order verification checks them. */
export function requiredPermissions(modes: OnboardingModes): string[] {
  return [
    ...(modes.polling ? ['cloudtrail:LookupEvents'] : []),
    ...POSTURE_ACTIONS,
    // ListPublicKeys: digest signatures are checked with CloudTrail's keys (log file integrity).
    ...(modes.s3 ? ['s3:ListBucket', 's3:GetObject', 'cloudtrail:ListPublicKeys'] : []),
  ];
}

function statement(sid: string, action: string | string[], resource: unknown, condition?: unknown): Record<string, unknown> {
  return { Sid: sid, Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) };
}

/**
 * The customer-side CloudFormation template: one IAM role that trusts the platform account under
 * the ExternalId, with only the read actions the chosen ingestion modes use.
 */
export function buildCloudFormationTemplate(input: TemplateInput): Record<string, unknown> {
  if (!/^\d{12}$/.test(input.platformAccountId)) throw new Error('platformAccountId must be 12 digits');
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(input.externalId)) throw new Error('externalId has characters STS does not accept');
  const { modes } = input;
  const statements: Record<string, unknown>[] = [];
  if (modes.polling) statements.push(statement('LookupEvents', 'cloudtrail:LookupEvents', '*'));
  // DescribeTrails takes no resource; the other two are scoped to this account's trails.
  statements.push(statement('DescribeTrails', 'cloudtrail:DescribeTrails', '*'));
  statements.push(
    statement('TrailStatus', ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'], {
      'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*',
    }),
  );
  if (modes.s3) {
    const bucket = modes.s3.bucket;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`invalid bucket name ${bucket}`);
    const prefix = modes.s3.keyPrefix ? `${modes.s3.keyPrefix.replace(/\/+$/, '')}/` : '';
    statements.push(
      statement(
        'ListTrailLogs',
        's3:ListBucket',
        { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` },
        {
          StringLike: { 's3:prefix': [`${prefix}AWSLogs/*`] },
        },
      ),
    );
    statements.push(statement('ReadTrailLogs', 's3:GetObject', { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}/${prefix}AWSLogs/*` }));
    statements.push(statement('DigestPublicKeys', 'cloudtrail:ListPublicKeys', '*'));
    if (modes.s3.kmsKeyArn) statements.push(statement('DecryptTrailLogs', 'kms:Decrypt', modes.s3.kmsKeyArn));
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Trailguard: read-only access to CloudTrail for threat detection',
    Resources: {
      TrailguardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          ...(input.roleName ? { RoleName: input.roleName } : {}),
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${input.platformAccountId}:root` },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': input.externalId } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'TrailguardReadOnly',
              PolicyDocument: { Version: '2012-10-17', Statement: statements },
            },
          ],
        },
      },
    },
    Outputs: {
      RoleArn: {
        Description: 'Give this ARN to Trailguard',
        Value: { 'Fn::GetAtt': ['TrailguardRole', 'Arn'] },
      },
    },
  };
}

/**
 * The console's quick-create link for a template hosted at templateUrl (CloudFormation only
 * launches templates from S3 URLs).
 */
export function quickCreateUrl(input: { templateUrl: string; region: string; stackName?: string }): string {
  const query = new URLSearchParams({ templateURL: input.templateUrl, stackName: input.stackName ?? 'Trailguard' });
  return `https://${input.region}.console.aws.amazon.com/cloudformation/home?region=${encodeURIComponent(input.region)}#/stacks/quickcreate?${query.toString()}`;
}
