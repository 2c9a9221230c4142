import { buildCloudFormationTemplate, quickCreateUrl, requiredPermissions } from './cloudformation-template';

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function policy(template: Record<string, unknown>) {
  const role = (template.Resources as Record<string, { Properties: Record<string, unknown> }>).TrailguardRole!.Properties;
  const statements = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!.PolicyDocument.Statement;
  const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
  return { role, statements, actions };
}

describe('buildCloudFormationTemplate', () => {
  const base = { platformAccountId: '999988887777', externalId: 'tg-3f9a1c' };

  it('trusts only the platform account under the ExternalId and outputs the role ARN', () => {
    const t = buildCloudFormationTemplate({ ...base, modes: { polling: true } });
    const { role } = policy(t);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'tg-3f9a1c' } },
        },
      ],
    });
    expect(t.Outputs).toEqual({ RoleArn: expect.objectContaining({ Value: { 'Fn::GetAtt': ['TrailguardRole', 'Arn'] } }) });
  });

  it.each([
    [
      { polling: true },
      ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus', 'cloudtrail:LookupEvents'],
    ],
    [{ polling: false }, ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus']],
    [
      { polling: false, s3: { bucket: 'acme-trail' } },
      [
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetEventSelectors',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:ListPublicKeys',
        's3:GetObject',
        's3:ListBucket',
      ],
    ],
  ])('grants exactly the actions of modes %j', (modes, expected) => {
    const { actions } = policy(buildCloudFormationTemplate({ ...base, modes }));
    expect(actions).toEqual(expected);
    expect([...requiredPermissions(modes)].sort()).toEqual(expected);
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  it('scopes S3 access to the trail log prefix of the bucket', () => {
    const { statements } = policy(
      buildCloudFormationTemplate({ ...base, modes: { polling: true, s3: { bucket: 'acme-trail', keyPrefix: 'org/' } } }),
    );
    expect(statements.find((s) => s.Sid === 'ReadTrailLogs')?.Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-trail/org/AWSLogs/*',
    });
    expect(statements.find((s) => s.Sid === 'ListTrailLogs')?.Condition).toEqual({
      StringLike: { 's3:prefix': ['org/AWSLogs/*'] },
    });
  });

  it('rejects inputs that would produce a broken or unsafe template', () => {
    expect(() => buildCloudFormationTemplate({ ...base, platformAccountId: '123', modes: { polling: true } })).toThrow();
    expect(() => buildCloudFormationTemplate({ ...base, externalId: 'has space', modes: { polling: true } })).toThrow();
    expect(() => buildCloudFormationTemplate({ ...base, modes: { polling: true, s3: { bucket: 'Bad_Bucket' } } })).toThrow();
  });

  it('builds a console quick-create link', () => {
    const url = new URL(quickCreateUrl({ templateUrl: 'https://s3.amazonaws.com/tg/t.json', region: 'eu-west-1' }));
    expect(url.host).toBe('eu-west-1.console.aws.amazon.com');
    const fragment = new URLSearchParams(url.hash.split('?')[1]);
    expect(fragment.get('templateURL')).toBe('https://s3.amazonaws.com/tg/t.json');
    expect(fragment.get('stackName')).toBe('Trailguard');
  });
});
