import { matches } from './sigma-test.helpers';

type Case = [name: string, detection: string, event: object, expected: boolean];

const trail = {
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'UpdateTrail',
  requestParameters: { name: 'main', isMultiRegionTrail: false },
};

describe('plain values, wildcards and escapes', () => {
  const cases: Case[] = [
    ['exact value', 'sel:\n    eventName: UpdateTrail\ncondition: sel', trail, true],
    ['case-insensitive by default', 'sel:\n    eventName: updatetrail\ncondition: sel', trail, true],
    ['different value', 'sel:\n    eventName: DeleteTrail\ncondition: sel', trail, false],
    ['list is OR', 'sel:\n    eventName: [StopLogging, UpdateTrail]\ncondition: sel', trail, true],
    ['map is AND (one false)', 'sel:\n    eventName: UpdateTrail\n    eventSource: s3.amazonaws.com\ncondition: sel', trail, false],
    ['list of maps is OR', 'sel:\n    - eventName: Nope\n    - eventSource: cloudtrail.amazonaws.com\ncondition: sel', trail, true],
    ['* wildcard', "sel:\n    eventName: 'Update*'\ncondition: sel", trail, true],
    ['* in the middle', "sel:\n    eventSource: 'cloud*.com'\ncondition: sel", trail, true],
    ['? wildcard', "sel:\n    eventName: 'UpdateTr?il'\ncondition: sel", trail, true],
    ['? needs exactly one char', "sel:\n    eventName: 'UpdateTrail?'\ncondition: sel", trail, false],
    ['escaped \\* is literal', "sel:\n    a: 'x\\*y'\ncondition: sel", { a: 'x*y' }, true],
    ['escaped \\* does not wildcard', "sel:\n    a: 'x\\*y'\ncondition: sel", { a: 'xzzy' }, false],
    ['escaped \\? is literal', "sel:\n    a: 'what\\?'\ncondition: sel", { a: 'what?' }, true],
    ['escaped \\? does not wildcard', "sel:\n    a: 'what\\?'\ncondition: sel", { a: 'whats' }, false],
    ['\\\\ is one backslash', "sel:\n    a: 'C:\\\\Windows'\ncondition: sel", { a: 'C:\\Windows' }, true],
    [
      'single backslash before a letter is plain',
      "sel:\n    a: 'C:\\Windows\\cmd.exe'\ncondition: sel",
      { a: 'C:\\Windows\\cmd.exe' },
      true,
    ],
    ['\\\\* is backslash then wildcard', "sel:\n    a: 'dir\\\\*'\ncondition: sel", { a: 'dir\\anything' }, true],
    ['\\\\\\* is backslash then literal *', "sel:\n    a: 'dir\\\\\\*'\ncondition: sel", { a: 'dir\\*' }, true],
    ['\\\\\\* does not wildcard', "sel:\n    a: 'dir\\\\\\*'\ncondition: sel", { a: 'dir\\x' }, false],
    ['empty string matches empty', "sel:\n    a: ''\ncondition: sel", { a: '' }, true],
    ['empty string does not match missing', "sel:\n    a: ''\ncondition: sel", {}, false],
    ['boolean false matches false', 'sel:\n    requestParameters.isMultiRegionTrail: false\ncondition: sel', trail, true],
    ["string 'false' matches boolean false", "sel:\n    requestParameters.isMultiRegionTrail: 'false'\ncondition: sel", trail, true],
    ['boolean true does not match false', 'sel:\n    requestParameters.isMultiRegionTrail: true\ncondition: sel', trail, false],
    ['number matches numeric string', 'sel:\n    code: 403\ncondition: sel', { code: '403' }, true],
    ['string matches number', "sel:\n    code: '403'\ncondition: sel", { code: 403 }, true],
    ['missing field never equals', 'sel:\n    nope: x\ncondition: sel', trail, false],
    ['nested path', 'sel:\n    requestParameters.name: MAIN\ncondition: sel', trail, true],
    ['literal dotted key wins over nested path', 'sel:\n    a.b: literal\ncondition: sel', { 'a.b': 'literal', a: { b: 'nested' } }, true],
    ['literal dotted key wins (nested not used)', 'sel:\n    a.b: nested\ncondition: sel', { 'a.b': 'literal', a: { b: 'nested' } }, false],
    ['array of scalars: any element', 'sel:\n    tags: b\ncondition: sel', { tags: ['a', 'b'] }, true],
    [
      'path across an array: any element',
      'sel:\n    resources.type: AWS::S3::Object\ncondition: sel',
      { resources: [{ type: 'AWS::S3::Bucket' }, { type: 'AWS::S3::Object' }] },
      true,
    ],
    [
      'path across an array: no element',
      'sel:\n    resources.type: AWS::IAM::Role\ncondition: sel',
      { resources: [{ type: 'AWS::S3::Bucket' }] },
      false,
    ],
    ['object compares as JSON text', 'sel:\n    requestParameters|contains: \'"isMultiRegionTrail":false\'\ncondition: sel', trail, true],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });
});

describe('null and exists', () => {
  const cases: Case[] = [
    ['null matches a missing field', 'sel:\n    a: null\ncondition: sel', { b: 1 }, true],
    ['null matches JSON null', 'sel:\n    a: null\ncondition: sel', { a: null }, true],
    ['null does not match a value', 'sel:\n    a: null\ncondition: sel', { a: 'x' }, false],
    ['null does not match empty string', 'sel:\n    a: null\ncondition: sel', { a: '' }, false],
    ['not null via negated selection', 'sel:\n    a: x\nfilter:\n    b: null\ncondition: sel and not filter', { a: 'x', b: 'set' }, true],
    ['exists true, present', 'sel:\n    a|exists: true\ncondition: sel', { a: '' }, true],
    ['exists true, present but null', 'sel:\n    a|exists: true\ncondition: sel', { a: null }, true],
    ['exists true, missing', 'sel:\n    a|exists: true\ncondition: sel', { b: 1 }, false],
    ['exists false, missing', 'sel:\n    a.b|exists: false\ncondition: sel', { a: {} }, true],
    ['exists false, present', 'sel:\n    a.b|exists: false\ncondition: sel', { a: { b: 0 } }, false],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });
});

describe('string modifiers', () => {
  const cmd = { CommandLine: 'powershell.exe -NoProfile -EncodedCommand SQBFAFgA' };
  const cases: Case[] = [
    ['contains', 'sel:\n    CommandLine|contains: noprofile\ncondition: sel', cmd, true],
    ['contains (absent)', 'sel:\n    CommandLine|contains: bypass\ncondition: sel', cmd, false],
    ['startswith', 'sel:\n    CommandLine|startswith: POWERSHELL\ncondition: sel', cmd, true],
    ['startswith (not a prefix)', 'sel:\n    CommandLine|startswith: -NoProfile\ncondition: sel', cmd, false],
    ['endswith', 'sel:\n    CommandLine|endswith: SQBFAFgA\ncondition: sel', cmd, true],
    ['endswith (not a suffix)', 'sel:\n    CommandLine|endswith: powershell\ncondition: sel', cmd, false],
    ['contains keeps inner wildcards', "sel:\n    CommandLine|contains: 'No*Command'\ncondition: sel", cmd, true],
    ['contains|all needs every value', 'sel:\n    CommandLine|contains|all: [noprofile, encodedcommand]\ncondition: sel', cmd, true],
    ['contains|all fails on one missing', 'sel:\n    CommandLine|contains|all: [noprofile, bypass]\ncondition: sel', cmd, false],
    ['cased: exact case matches', 'sel:\n    CommandLine|contains|cased: NoProfile\ncondition: sel', cmd, true],
    ['cased: other case does not', 'sel:\n    CommandLine|contains|cased: noprofile\ncondition: sel', cmd, false],
    ['cased on plain value', 'sel:\n    a|cased: Abc\ncondition: sel', { a: 'abc' }, false],
    ['windash: - written as /', "sel:\n    c|windash|contains: ' -exec '\ncondition: sel", { c: 'run /exec now' }, true],
    ['windash: - written as en dash', "sel:\n    c|windash|contains: ' -exec '\ncondition: sel", { c: 'run \u2013exec now' }, true],
    ['windash: other character does not match', "sel:\n    c|windash|contains: ' -exec '\ncondition: sel", { c: 'run +exec now' }, false],
    ['neq: different value', 'sel:\n    a|neq: x\ncondition: sel', { a: 'y' }, true],
    ['neq: same value', 'sel:\n    a|neq: x\ncondition: sel', { a: 'X' }, false],
    ['neq: list means none of them', 'sel:\n    a|neq: [x, y]\ncondition: sel', { a: 'y' }, false],
    ['neq: missing field does not match', 'sel:\n    a|neq: x\ncondition: sel', {}, false],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });
});

describe('encoding modifiers', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const utf16 = (s: string): string => Buffer.from(s, 'utf16le').toString('base64');
  const cases: Case[] = [
    ['base64 exact', 'sel:\n    a|base64: secret\ncondition: sel', { a: b64('secret') }, true],
    ['base64 (different text)', 'sel:\n    a|base64: secret\ncondition: sel', { a: b64('public') }, false],
    ['base64|contains', 'sel:\n    a|base64|contains: secret\ncondition: sel', { a: `xx${b64('secret')}yy` }, true],
    ['base64offset|contains, offset 0', 'sel:\n    a|base64offset|contains: /bin/sh\ncondition: sel', { a: b64('/bin/sh -c id') }, true],
    ['base64offset|contains, offset 1', 'sel:\n    a|base64offset|contains: /bin/sh\ncondition: sel', { a: b64('x/bin/sh -c id') }, true],
    ['base64offset|contains, offset 2', 'sel:\n    a|base64offset|contains: /bin/sh\ncondition: sel', { a: b64('xy/bin/sh -c id') }, true],
    ['base64offset|contains, absent', 'sel:\n    a|base64offset|contains: /bin/sh\ncondition: sel', { a: b64('xy/bin/bash -c id') }, false],
    [
      'wide|base64offset|contains (PowerShell -enc)',
      'sel:\n    a|wide|base64offset|contains: Invoke-Expression\ncondition: sel',
      { a: utf16('iex; Invoke-Expression $x') },
      true,
    ],
    ['utf16le|base64', 'sel:\n    a|utf16le|base64: cmd\ncondition: sel', { a: utf16('cmd') }, true],
    [
      'utf16be|base64',
      'sel:\n    a|utf16be|base64: cmd\ncondition: sel',
      { a: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') },
      true,
    ],
    [
      'utf16 adds a BOM',
      'sel:\n    a|utf16|base64: cmd\ncondition: sel',
      { a: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') },
      true,
    ],
    ['wide without base64 compares the byte string', 'sel:\n    a|wide: ab\ncondition: sel', { a: 'a\u0000b\u0000' }, true],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });
});

describe('regular expressions (re2js)', () => {
  const arn = { userIdentity: { arn: 'arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0abc' } };
  const cases: Case[] = [
    ['re matches anywhere (unanchored)', "sel:\n    userIdentity.arn|re: ':assumed-role/aws:'\ncondition: sel", arn, true],
    ['re anchors', "sel:\n    userIdentity.arn|re: '^arn:aws:sts::[0-9]{12}:'\ncondition: sel", arn, true],
    ['re is case-sensitive by default', "sel:\n    userIdentity.arn|re: 'ASSUMED-ROLE'\ncondition: sel", arn, false],
    ['re|i is case-insensitive', "sel:\n    userIdentity.arn|re|i: 'ASSUMED-ROLE'\ncondition: sel", arn, true],
    ['re without m: ^ is start of input only', "sel:\n    a|re: '^second'\ncondition: sel", { a: 'first\nsecond' }, false],
    ['re|m: ^ matches at a line start', "sel:\n    a|re|m: '^second'\ncondition: sel", { a: 'first\nsecond' }, true],
    ['re without s: . skips newline', "sel:\n    a|re: 'first.second'\ncondition: sel", { a: 'first\nsecond' }, false],
    ['re|s: . matches newline', "sel:\n    a|re|s: 'first.second'\ncondition: sel", { a: 'first\nsecond' }, true],
    ['re alternation and classes', "sel:\n    a|re: '^(Stop|Delete)[A-Z][a-z]+$'\ncondition: sel", { a: 'DeleteTrail' }, true],
    ['re on a number', "sel:\n    a|re: '^4\\d\\d$'\ncondition: sel", { a: 403 }, true],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });

  it('a catastrophic pattern on a 50k-character input completes with the right answer', () => {
    const input = `${'a'.repeat(50_000)}!`;
    expect(matches("sel:\n    a|re: '(a+)+$'\ncondition: sel", { a: input })).toBe(false);
    expect(matches("sel:\n    a|re: '(a+)+!$'\ncondition: sel", { a: input })).toBe(true);
    expect(matches("sel:\n    a|re: '^(a|aa)+$'\ncondition: sel", { a: input })).toBe(false);
  });
});

describe('numeric, time, cidr, fieldref', () => {
  const cases: Case[] = [
    ['gt', 'sel:\n    n|gt: 10\ncondition: sel', { n: 11 }, true],
    ['gt (equal is not greater)', 'sel:\n    n|gt: 10\ncondition: sel', { n: 10 }, false],
    ['gte', 'sel:\n    n|gte: 10\ncondition: sel', { n: 10 }, true],
    ['lt', 'sel:\n    n|lt: 10\ncondition: sel', { n: 9.5 }, true],
    ['lt compares numerically, not as text', 'sel:\n    n|lt: 10\ncondition: sel', { n: '9' }, true],
    ['lte', 'sel:\n    n|lte: 10\ncondition: sel', { n: 11 }, false],
    ['numeric on non-number', 'sel:\n    n|gt: 1\ncondition: sel', { n: 'abc' }, false],
    ['hour', 'sel:\n    eventTime|hour: 21\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['hour|gte', 'sel:\n    eventTime|hour|gte: 22\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, false],
    ['minute', 'sel:\n    eventTime|minute: 31\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['day', 'sel:\n    eventTime|day: 30\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['week (ISO)', 'sel:\n    eventTime|week: 31\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['month', 'sel:\n    eventTime|month: 7\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['year|lt', 'sel:\n    eventTime|year|lt: 2025\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, true],
    ['day|neq', 'sel:\n    eventTime|day|neq: 30\ncondition: sel', { eventTime: '2024-07-30T21:31:21Z' }, false],
    ['cidr v4 inside', "sel:\n    sourceIPAddress|cidr: '10.0.0.0/8'\ncondition: sel", { sourceIPAddress: '10.1.2.3' }, true],
    ['cidr v4 outside', "sel:\n    sourceIPAddress|cidr: '10.0.0.0/8'\ncondition: sel", { sourceIPAddress: '11.1.2.3' }, false],
    ['cidr v6', "sel:\n    sourceIPAddress|cidr: '2001:db8::/32'\ncondition: sel", { sourceIPAddress: '2001:db8::1' }, true],
    [
      'cidr list is OR',
      "sel:\n    sourceIPAddress|cidr: ['192.168.0.0/16', '10.0.0.0/8']\ncondition: sel",
      { sourceIPAddress: '10.9.9.9' },
      true,
    ],
    [
      'cidr on a host name',
      "sel:\n    sourceIPAddress|cidr: '10.0.0.0/8'\ncondition: sel",
      { sourceIPAddress: 'cloudtrail.amazonaws.com' },
      false,
    ],
    [
      'cidr on IPv4-mapped IPv6',
      "sel:\n    sourceIPAddress|cidr: '10.0.0.0/8'\ncondition: sel",
      { sourceIPAddress: '::ffff:10.0.0.1' },
      true,
    ],
    ['fieldref equal', 'sel:\n    a|fieldref: b\ncondition: sel', { a: 'Bob', b: 'bob' }, true],
    ['fieldref different', 'sel:\n    a|fieldref: b\ncondition: sel', { a: 'bob', b: 'alice' }, false],
    [
      'fieldref nested',
      'sel:\n    userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel',
      { userIdentity: { userName: 'x' }, requestParameters: { userName: 'x' } },
      true,
    ],
    [
      'fieldref|endswith',
      'sel:\n    userIdentity.arn|fieldref|endswith: requestParameters.userName\ncondition: sel',
      { userIdentity: { arn: 'arn:aws:iam::1:user/bob' }, requestParameters: { userName: 'bob' } },
      true,
    ],
    ['fieldref|neq', 'sel:\n    a|fieldref|neq: b\ncondition: sel', { a: 'x', b: 'y' }, true],
    ['fieldref to a missing field', 'sel:\n    a|fieldref: b\ncondition: sel', { a: 'x' }, false],
  ];
  it.each(cases)('%s', (_name, detection, event, expected) => {
    expect(matches(detection, event)).toBe(expected);
  });
});

describe('keywords (whole-event search)', () => {
  const event = { eventName: 'PutBucketPolicy', requestParameters: { policy: '{"Effect":"Allow","Principal":"*"}' }, n: 42 };
  const cases: Case[] = [
    ['keyword list: any value found in any field', 'keywords:\n    - nothing\n    - \'Principal":"*\'\ncondition: keywords', event, true],
    ['keyword not present', 'keywords:\n    - DeleteBucket\ncondition: keywords', event, false],
    ['keywords are case-insensitive substrings', 'keywords:\n    - putbucket\ncondition: keywords', event, true],
    ['keywords match numbers by text', 'keywords:\n    - 42\ncondition: keywords', event, true],
    ["'|all' keywords need every value", "keywords:\n    '|all':\n        - PutBucket\n        - Allow\ncondition: keywords", event, true],
    [
      "'|all' keywords fail on one missing",
      "keywords:\n    '|all':\n        - PutBucket\n        - Deny\ncondition: keywords",
      event,
      false,
    ],
    ['single keyword string', 'keywords: PutBucketPolicy\ncondition: keywords', event, true],
    [
      'keyword with field selection',
      'keywords:\n    - Allow\nsel:\n    eventName: PutBucketPolicy\ncondition: keywords and sel',
      event,
      true,
    ],
  ];
  it.each(cases)('%s', (_name, detection, event2, expected) => {
    expect(matches(detection, event2)).toBe(expected);
  });
});
