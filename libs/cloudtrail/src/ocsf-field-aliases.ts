/**
 * OCSF names (API Activity, class 6003, as Amazon Security Lake renders CloudTrail management
 * events) mapped to native CloudTrail paths, so a rule written against Security Lake field names
 * evaluates against raw CloudTrail records.
 *
 * Source of the mapping: the OCSF project's CloudTrail "Generic API Activity" event dossier
 * (ocsf/examples, mappings for OCSF 1.1.0). Where OCSF maps one field from two CloudTrail keys
 * conditionally (`src_endpoint.ip` / `src_endpoint.domain` both come from `sourceIPAddress`,
 * depending on whether the value is an address or a service host name), both aliases point at the
 * same key. `actor.idp.name` is left out: it has two possible sources with no fixed precedence.
 */
export const OCSF_FIELD_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  // API call
  'api.operation': 'eventName',
  'api.service.name': 'eventSource',
  'api.version': 'apiVersion',
  'api.request.uid': 'requestID',
  'api.request.data': 'requestParameters',
  'api.response.data': 'responseElements',
  'api.response.error': 'errorCode',
  'api.response.message': 'errorMessage',
  // Actor
  'actor.user.uid': 'userIdentity.arn',
  'actor.user.uid_alt': 'userIdentity.principalId',
  'actor.user.name': 'userIdentity.userName',
  'actor.user.type': 'userIdentity.type',
  'actor.user.account.uid': 'userIdentity.accountId',
  'actor.user.credential_uid': 'userIdentity.accessKeyId',
  'actor.session.issuer': 'userIdentity.sessionContext.sessionIssuer.arn',
  'actor.session.created_time_dt': 'userIdentity.sessionContext.attributes.creationDate',
  'actor.session.is_mfa': 'userIdentity.sessionContext.attributes.mfaAuthenticated',
  'actor.invoked_by': 'userIdentity.invokedBy',
  // Where it happened
  'cloud.region': 'awsRegion',
  'cloud.account.uid': 'recipientAccountId',
  'src_endpoint.ip': 'sourceIPAddress',
  'src_endpoint.domain': 'sourceIPAddress',
  'src_endpoint.uid': 'vpcEndpointId',
  'http_request.user_agent': 'userAgent',
  // Event metadata
  'metadata.uid': 'eventID',
  'metadata.product.version': 'eventVersion',
  'metadata.event_code': 'eventType',
  'metadata.product.feature.name': 'eventCategory',
  time: 'eventTime',
  time_dt: 'eventTime',
  // Resources: arrays are traversed by the engine like any other list value.
  'resources.uid': 'resources.ARN',
  'resources.owner.account.uid': 'resources.accountId',
  'resources.type': 'resources.type',
});
