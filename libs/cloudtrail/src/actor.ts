import type { CloudTrailRecord } from './cloudtrail-record.types';

export interface Actor {
  /** userIdentity.arn (for an assumed role: the session ARN, `arn:aws:sts::…:assumed-role/Role/session`). */
  arn?: string;
  /** For AssumedRole identities: the role that issued the session (sessionContext.sessionIssuer.arn). */
  roleArn?: string;
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The principal behind a record, for allowlists and aggregation. An assumed-role session ARN
 * changes with every session name, so allowlists usually name the role: both are returned.
 */
export function actorOf(record: CloudTrailRecord): Actor {
  const identity = record.userIdentity;
  if (identity === null || typeof identity !== 'object') return {};
  const actor: Actor = {};
  const arn = nonEmpty(identity.arn);
  if (arn !== undefined) actor.arn = arn;
  const issuer = identity.sessionContext?.sessionIssuer;
  const issuerArn = issuer && typeof issuer === 'object' ? nonEmpty(issuer.arn) : undefined;
  if (issuerArn !== undefined && (identity.type === 'AssumedRole' || issuer?.type === 'Role')) {
    actor.roleArn = issuerArn;
  }
  return actor;
}
