import { accessDenied, SimAwsError } from './sim-errors';
import type { SimContext, SimResponse } from './sim-context';
import { isoSeconds, xmlEscape } from './sim-context';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function stsXml(action: string, result: string, requestId: string): SimResponse {
  const body =
    `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${result}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function renderStsError(err: SimAwsError, requestId: string): SimResponse {
  const body =
    `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${err.sender}</Type>\n` +
    `    <Code>${xmlEscape(err.code)}</Code>\n    <Message>${xmlEscape(err.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  return { status: err.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

function validation(message: string): SimAwsError {
  return new SimAwsError('ValidationError', message, 400);
}

export function handleSts(ctx: SimContext, action: string, params: URLSearchParams): SimResponse {
  switch (action) {
    case 'GetCallerIdentity':
      return getCallerIdentity(ctx);
    case 'AssumeRole':
      return assumeRole(ctx, params);
    default:
      throw new SimAwsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`, 400);
  }
}

function getCallerIdentity(ctx: SimContext): SimResponse {
  const c = ctx.credential;
  const account = ctx.store.accounts.get(c.accountId);
  const userId =
    c.kind === 'user'
      ? (account?.users.get(c.userName ?? '')?.userId ?? '')
      : `${account?.roles.get(c.roleName ?? '')?.roleId ?? ''}:${c.sessionName}`;
  const result =
    `    <Arn>${xmlEscape(ctx.store.principalArn(c))}</Arn>\n    <UserId>${xmlEscape(userId)}</UserId>\n` +
    `    <Account>${c.accountId}</Account>\n`;
  return stsXml('GetCallerIdentity', result, ctx.requestId);
}

function assumeRole(ctx: SimContext, params: URLSearchParams): SimResponse {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn || roleArn.length < 20) throw validation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint");
  if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw validation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
  }
  const durationRaw = params.get('DurationSeconds');
  const duration = durationRaw === null ? 3600 : Number(durationRaw);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation("1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint");
  }
  const callerArn = ctx.store.principalArn(ctx.credential);
  const role = ctx.store.findRoleByArn(roleArn);
  // AWS answers the same AccessDenied whether the role is missing, untrusted or the ExternalId is wrong.
  const denied = accessDenied('sts', callerArn, 'sts:AssumeRole', roleArn);
  if (!ctx.store.isAllowed(ctx.credential, 'sts:AssumeRole')) throw denied;
  if (!role || role.trustedAccountId !== ctx.credential.accountId) throw denied;
  if (role.externalId !== null && params.get('ExternalId') !== role.externalId) throw denied;
  if (duration > 3600) {
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const issued = ctx.store.issueSessionCredentials(role, sessionName, duration, ctx.now());
  const result =
    `    <AssumedRoleUser>\n      <AssumedRoleId>${role.roleId}:${xmlEscape(sessionName)}</AssumedRoleId>\n` +
    `      <Arn>${xmlEscape(ctx.store.principalArn(issued))}</Arn>\n    </AssumedRoleUser>\n` +
    `    <Credentials>\n      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>\n` +
    `      <SecretAccessKey>${xmlEscape(issued.secretAccessKey)}</SecretAccessKey>\n` +
    `      <SessionToken>${xmlEscape(issued.sessionToken ?? '')}</SessionToken>\n` +
    `      <Expiration>${isoSeconds(issued.expiresAt ?? 0)}</Expiration>\n    </Credentials>\n`;
  return stsXml('AssumeRole', result, ctx.requestId);
}
