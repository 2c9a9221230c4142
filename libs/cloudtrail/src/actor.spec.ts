import { actorOf } from './actor';
import type { CloudTrailRecord } from './cloudtrail-record.types';

describe('actorOf', () => {
  const cases: Array<[string, CloudTrailRecord, ReturnType<typeof actorOf>]> = [
    [
      'IAM user: the user ARN only',
      { userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' } },
      { arn: 'arn:aws:iam::111122223333:user/alice' },
    ],
    [
      'assumed role: the session ARN and the issuing role',
      {
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::111122223333:assumed-role/Admin/bob',
          sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/Admin' } },
        },
      },
      { arn: 'arn:aws:sts::111122223333:assumed-role/Admin/bob', roleArn: 'arn:aws:iam::111122223333:role/Admin' },
    ],
    [
      'assumed role with an empty sessionIssuer: no role',
      { userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/R/s', sessionContext: { sessionIssuer: {} } } },
      { arn: 'arn:aws:sts::1:assumed-role/R/s' },
    ],
    [
      'federated user issued by an IAM user: not a role',
      {
        userIdentity: {
          type: 'FederatedUser',
          arn: 'arn:aws:sts::1:federated-user/x',
          sessionContext: { sessionIssuer: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/u' } },
        },
      },
      { arn: 'arn:aws:sts::1:federated-user/x' },
    ],
    ['Identity Center user with an empty arn', { userIdentity: { type: 'IdentityCenterUser', arn: '' } }, {}],
    ['no userIdentity', { eventName: 'X' }, {}],
    ['userIdentity null', { eventName: 'X', userIdentity: null as never }, {}],
  ];

  it.each(cases)('%s', (_name, record, expected) => {
    expect(actorOf(record)).toEqual(expected);
  });
});
