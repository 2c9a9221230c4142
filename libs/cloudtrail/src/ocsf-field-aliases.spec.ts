import { readFileSync } from 'node:fs';
import { OCSF_FIELD_ALIASES } from './ocsf-field-aliases';
import { sharedPath } from '@trailguard/testing';

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((current, key) => {
    if (Array.isArray(current)) return current.map((item) => (item as Record<string, unknown>)[key]);
    return current === null || typeof current !== 'object' ? undefined : (current as Record<string, unknown>)[key];
  }, value);

describe('OCSF_FIELD_ALIASES', () => {
  it('maps the Security Lake names the product names explicitly', () => {
    expect(OCSF_FIELD_ALIASES).toMatchObject({
      'api.operation': 'eventName',
      'api.service.name': 'eventSource',
      'actor.user.uid': 'userIdentity.arn',
      'actor.session.issuer': 'userIdentity.sessionContext.sessionIssuer.arn',
      'api.request.data': 'requestParameters',
      'api.response.error': 'errorCode',
      'cloud.region': 'awsRegion',
      'cloud.account.uid': 'recipientAccountId',
      'src_endpoint.ip': 'sourceIPAddress',
      'metadata.uid': 'eventID',
      time: 'eventTime',
    });
    expect(Object.isFrozen(OCSF_FIELD_ALIASES)).toBe(true);
  });

  it('points every alias at a field that real CloudTrail records carry', () => {
    const lines = readFileSync(sharedPath('datasets/combined/records.ndjson'), 'utf8').split('\n').filter(Boolean);
    const records = lines.map((line) => JSON.parse(line) as unknown);
    const missing = Object.entries(OCSF_FIELD_ALIASES)
      .filter(
        ([, path]) =>
          !records.some((record) => {
            const value = get(record, path);
            return value !== undefined && !(Array.isArray(value) && value.every((v) => v === undefined));
          }),
      )
      .map(([alias]) => alias);
    expect(missing).toEqual([]);
  });
});
