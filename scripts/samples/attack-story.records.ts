/**
 * The CloudTrail-tampering story as CloudTrail records, written for Trailguard's samples/ (no
 * recorded customer data): an hour of benign management activity in account 111122223333, an
 * administrator's routine UpdateTrail, an attacker with a leaked access key turning the trail
 * single-region, and the attacker's follow-up in us-west-2.
 */
const ACCOUNT = '111122223333';
const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-audit`;
const DAY = '2026-12-01';

type Rec = Record<string, unknown>;

const alice = {
  type: 'AssumedRole',
  principalId: 'AROAQXZ7EXAMPLEADMIN:alice',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/CloudAdmin/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAQXZ7EXAMPLEALICE',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAQXZ7EXAMPLEADMIN', arn: `arn:aws:iam::${ACCOUNT}:role/CloudAdmin`, accountId: ACCOUNT, userName: 'CloudAdmin' },
    attributes: { creationDate: `${DAY}T08:55:12Z`, mfaAuthenticated: 'true' },
  },
};
const ciBuild = {
  type: 'AssumedRole',
  principalId: 'AROAQXZ7EXAMPLECIBLD:build-4812',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-build/build-4812`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAQXZ7EXAMPLECIBLD',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAQXZ7EXAMPLECIBLD', arn: `arn:aws:iam::${ACCOUNT}:role/ci-build`, accountId: ACCOUNT, userName: 'ci-build' },
    attributes: { creationDate: `${DAY}T08:58:40Z`, mfaAuthenticated: 'false' },
  },
};
const monitoring = {
  type: 'AssumedRole',
  principalId: 'AROAQXZ7EXAMPLEMONIT:i-0a1b2c3d4e5f60718',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/monitoring/i-0a1b2c3d4e5f60718`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAQXZ7EXAMPLEMONIT',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAQXZ7EXAMPLEMONIT', arn: `arn:aws:iam::${ACCOUNT}:role/monitoring`, accountId: ACCOUNT, userName: 'monitoring' },
    ec2RoleDelivery: '2.0',
    attributes: { creationDate: `${DAY}T08:30:00Z`, mfaAuthenticated: 'false' },
  },
};
/** An IAM user whose long-term access key leaked. */
const mallory = {
  type: 'IAMUser',
  principalId: 'AIDAQXZ7EXAMPLEMALRY',
  arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAQXZ7EXAMPLEMALRY',
  userName: 'mallory',
};

const CLI = 'aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/';
const CONSOLE = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15';
const SDK = 'aws-sdk-go-v2/1.32.6 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/cloudwatch#1.43.3';

let serial = 0;
function record(time: string, identity: object, fields: Rec): Rec {
  serial++;
  const hex = serial.toString(16).padStart(12, '0');
  return {
    eventVersion: '1.11',
    userIdentity: identity,
    eventTime: `${DAY}T${time}Z`,
    awsRegion: 'us-east-1',
    requestParameters: null,
    responseElements: null,
    requestID: `5f1e9c2a-7b3d-4e8f-9a6b-${hex}`,
    eventID: `c0ffee00-1d2b-4c3a-8e9f-${hex}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${String(fields.eventSource).split('.')[0]}.us-east-1.amazonaws.com` },
    ...fields,
  };
}

const ec2Describe = (time: string): Rec =>
  record(time, monitoring, {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    sourceIPAddress: '10.0.12.7',
    userAgent: SDK,
    requestParameters: { instancesSet: {}, filterSet: {} },
  });
const putMetrics = (time: string): Rec =>
  record(time, monitoring, {
    eventSource: 'monitoring.amazonaws.com',
    eventName: 'GetMetricData',
    sourceIPAddress: '10.0.12.7',
    userAgent: SDK,
  });

/** Benign background: monitoring agents, a CI pipeline, an administrator's console session. */
function noise(): Rec[] {
  const out: Rec[] = [];
  for (const m of ['00', '06', '12', '18', '24', '30', '36', '42', '48', '54']) {
    out.push(ec2Describe(`09:${m}:03`), putMetrics(`09:${m}:41`));
  }
  out.push(
    record('08:59:02', alice, {
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      sourceIPAddress: '198.51.100.23',
      userAgent: CONSOLE,
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'Yes' },
    }),
    record('09:01:15', alice, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DescribeTrails', sourceIPAddress: '198.51.100.23', userAgent: CONSOLE, requestParameters: { includeShadowTrails: false } }),
    record('09:01:16', alice, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'GetTrailStatus', sourceIPAddress: '198.51.100.23', userAgent: CONSOLE, requestParameters: { name: ORG_TRAIL } }),
    record('09:10:27', ciBuild, { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', sourceIPAddress: '34.201.17.9', userAgent: CLI }),
    record('09:10:31', ciBuild, {
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      sourceIPAddress: '34.201.17.9',
      userAgent: CLI,
      requestParameters: { Host: 's3.us-east-1.amazonaws.com' },
    }),
    record('09:10:44', ciBuild, {
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionCode20150331v2',
      readOnly: false,
      sourceIPAddress: '34.201.17.9',
      userAgent: CLI,
      requestParameters: { functionName: 'orders-api', publish: true },
      responseElements: { functionName: 'orders-api', version: '42', lastUpdateStatus: 'InProgress' },
    }),
  );
  return out;
}

/** The administrator's routine change: turns on log file validation, the trail stays multi-region. */
function adminUpdate(): Rec {
  return record('09:05:48', alice, {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    readOnly: false,
    sourceIPAddress: '198.51.100.23',
    userAgent: CONSOLE,
    requestParameters: { name: ORG_TRAIL, isMultiRegionTrail: true, enableLogFileValidation: true },
    responseElements: trailElements(true),
  });
}

function trailElements(multiRegion: boolean): Rec {
  return {
    name: 'org-audit',
    s3BucketName: `aws-cloudtrail-logs-${ACCOUNT}-org-audit`,
    includeGlobalServiceEvents: true,
    isMultiRegionTrail: multiRegion,
    trailARN: ORG_TRAIL,
    logFileValidationEnabled: true,
    isOrganizationTrail: false,
  };
}

/** The attack: reconnaissance, the trail made single-region, then activity in us-west-2. */
function attack(): Rec[] {
  const ip = '203.0.113.77';
  const west = (time: string, fields: Rec): Rec => {
    const r = record(time, mallory, { sourceIPAddress: ip, userAgent: CLI, awsRegion: 'us-west-2', ...fields });
    r.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'ec2.us-west-2.amazonaws.com' };
    return r;
  };
  return [
    record('09:31:02', mallory, { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', sourceIPAddress: ip, userAgent: CLI }),
    record('09:31:20', mallory, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DescribeTrails', sourceIPAddress: ip, userAgent: CLI, requestParameters: { includeShadowTrails: true } }),
    record('09:32:05', mallory, {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'UpdateTrail',
      readOnly: false,
      sourceIPAddress: ip,
      userAgent: CLI,
      requestParameters: { name: 'org-audit', isMultiRegionTrail: false },
      responseElements: trailElements(false),
    }),
    west('09:34:40', {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ImportKeyPair',
      readOnly: false,
      requestParameters: { keyName: 'ops-backup', publicKeyMaterial: '<sensitiveDataRemoved>' },
      responseElements: { requestId: 'a71c4d6e-0b3f-4b9e-8f21-7d5e3c2b1a09', keyName: 'ops-backup', keyFingerprint: '3e:5a:91:0c:7f:44:b2:18:6d:e0:9a:c3:55:21:8f:07', keyPairId: 'key-0f3e2d1c0b9a87654' },
    }),
    west('09:35:12', {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      readOnly: false,
      requestParameters: {
        instancesSet: { items: [{ imageId: 'ami-0c2d3e4f5a6b7c8d9', minCount: 4, maxCount: 4, keyName: 'ops-backup' }] },
        instanceType: 'p3.16xlarge',
        blockDeviceMapping: {},
        monitoring: { enabled: false },
        disableApiTermination: false,
      },
      responseElements: { requestId: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a', reservationId: 'r-0a9b8c7d6e5f4a3b2', ownerId: ACCOUNT, instancesSet: { items: [{ instanceId: 'i-0f1e2d3c4b5a69788', instanceType: 'p3.16xlarge' }] } },
    }),
  ];
}

/**
 * Every record of the story in event-time order. `endingAt`: the story moved in time so that its
 * last event is then (Trailguard refuses records older than DEDUP_WINDOW_HOURS, 72 h by default,
 * so an upload of the fixed 2026-12-01 files is refused once they are older than that).
 */
export function attackStoryRecords(endingAt?: Date): Rec[] {
  serial = 0;
  const all = [...noise(), adminUpdate(), ...attack()].sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
  if (!endingAt) return all;
  const offset = endingAt.getTime() - Date.parse(String(all[all.length - 1]!.eventTime));
  const shift = (iso: string) => new Date(Date.parse(iso) + offset).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return all.map((r) => {
    const moved = structuredClone(r) as Rec & { userIdentity: { sessionContext?: { attributes?: { creationDate?: string } } } };
    moved.eventTime = shift(String(r.eventTime));
    const attributes = moved.userIdentity.sessionContext?.attributes;
    if (attributes?.creationDate) attributes.creationDate = shift(attributes.creationDate);
    return moved;
  });
}

export const SAMPLE_ACCOUNT_ID = ACCOUNT;
