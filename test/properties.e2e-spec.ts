import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

/**
 * Properties of the two routes that take free-form input: uploads (any mix of records and junk
 * is fully accounted for, by position) and rules (any text is a rule or a located rejection).
 */
type Line = { kind: 'valid'; text: string } | { kind: 'invalid'; text: string };

const valid = fc
  .record({
    eventID: fc.uuid(),
    eventName: fc.string({ minLength: 1, maxLength: 30 }),
    eventSource: fc.constantFrom('cloudtrail.amazonaws.com', 'iam.amazonaws.com', 's3.amazonaws.com'),
    // Inside the de-duplication window (DEDUP_WINDOW_HOURS, 72 by default) and not ahead of the clock.
    eventTime: fc.integer({ min: -48 * 3600, max: 3600 }).map((s) => new Date(Date.now() + s * 1000).toISOString()),
    extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  })
  .map(({ extra, ...core }) => ({ ...extra, ...core }));

const noNewline = (s: string) => !/[\n\r]/.test(s);
const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
// A line the reader cannot take as records: junk text, JSON of the wrong type, objects that are
// not CloudTrail records, records without a usable eventID, records nested absurdly deep.
const invalidValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.dictionary(fc.constantFrom('foo', 'bar', 'eventId', 'name'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.record({
    eventName: fc.string({ minLength: 1, maxLength: 10 }),
    eventID: fc.oneof(fc.integer(), fc.constant(''), fc.constant(null), fc.boolean()),
  }),
  fc.record({ eventSource: fc.constant('ec2.amazonaws.com'), eventName: fc.constant('RunInstances') }),
  // Older than the de-duplication window: refused as too old, never counted twice.
  fc.uuid().map((id) => ({ eventID: id, eventName: 'GetObject', eventSource: 's3.amazonaws.com', eventTime: '2020-01-01T00:00:00Z' })),
  fc.uuid().map((id) => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 300; i++) deep = { d: deep };
    return { eventID: id, eventName: 'Deep', eventSource: 'x.amazonaws.com', requestParameters: deep };
  }),
);
const junk = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((s) => noNewline(s) && s.trim().length > 0 && !s.trim().startsWith('['))
  .filter((s) => {
    try {
      const v = JSON.parse(s) as unknown;
      // Parsable junk must still be one non-record (an object with eventName and eventID could be valid).
      return typeof v !== 'object' || v === null;
    } catch {
      return true;
    }
  });
const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 3, arbitrary: valid.map((r) => ({ kind: 'valid' as const, text: JSON.stringify(r) })) },
  { weight: 1, arbitrary: invalidValue.map((v) => ({ kind: 'invalid' as const, text: JSON.stringify(v) })) },
  { weight: 1, arbitrary: junk.map((text) => ({ kind: 'invalid' as const, text })) },
);

describe('properties of uploads and rules', () => {
  let t: TestApp;
  let s: TenantSession;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    s = await TenantSession.create(t);
    accountId = (await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'props', polling: false }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  interface UploadResult {
    accepted: number;
    rejected: number;
    errors: Array<{ position: number; line?: number; pointer?: string; code: string }>;
  }

  it('an NDJSON upload (declared, or gzip) accounts for every line: valid ones accepted, the others rejected at their line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        async (lines, gzip, trailingNewline) => {
          const text = lines.map((l) => l.text).join('\n') + (trailingNewline ? '\n' : '');
          const req = t.http.post(`/v1/aws-accounts/${accountId}/events`).set(s.auth());
          const res = gzip
            ? await req.set('Content-Type', 'application/gzip').send(gzipSync(text))
            : await req.set('Content-Type', 'application/x-ndjson').send(text);
          expect(res.status).toBe(202);
          const body = res.body as UploadResult;
          // Gzip does not say what it holds: a body of which no line is JSON is one broken document.
          if (gzip && !lines.some((l) => parses(l.text))) {
            expect(body).toMatchObject({ accepted: 0, rejected: 1, errors: [{ position: 1, code: 'invalid_json' }] });
            return;
          }
          const invalidLines = lines.flatMap((l, i) => (l.kind === 'invalid' ? [i + 1] : []));
          expect(body.accepted + body.rejected).toBe(lines.length);
          expect(body.accepted).toBe(lines.length - invalidLines.length);
          expect(body.errors.map((e) => e.position).sort((a, b) => a - b)).toEqual(invalidLines);
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);

  it('a log file {"Records":[...]} as JSON accounts for every element: the others rejected at their pointer', async () => {
    const element = fc.oneof(
      { weight: 3, arbitrary: valid.map((r) => ({ ok: true, value: r as unknown })) },
      {
        weight: 2,
        arbitrary: invalidValue
          .filter((v) => !(typeof v === 'object' && v !== null && 'requestParameters' in v))
          .map((v) => ({ ok: false, value: v as unknown })),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(element, { minLength: 1, maxLength: 40 }), async (elements) => {
        const res = await t.http
          .post(`/v1/aws-accounts/${accountId}/events`)
          .set(s.auth())
          .send({ Records: elements.map((e) => e.value) });
        expect(res.status).toBe(202);
        const body = res.body as UploadResult;
        const bad = elements.flatMap((e, i) => (e.ok ? [] : [`Records[${i}]`]));
        expect(body.accepted).toBe(elements.length - bad.length);
        expect(body.accepted + body.rejected).toBe(elements.length);
        expect(body.errors.map((e) => e.pointer).sort()).toEqual([...bad].sort());
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  const ruleText = (id: string, parts: { name: string; level: string; condition: string; extraKey: string }) =>
    [
      `title: Property rule ${parts.name}`,
      `id: ${id}`,
      'logsource:',
      '  product: aws',
      '  service: cloudtrail',
      'detection:',
      '  sel:',
      `    eventName: ${JSON.stringify(parts.name)}`,
      `  condition: ${parts.condition}`,
      `level: ${parts.level}`,
      ...(parts.extraKey ? [`${parts.extraKey}: value`] : []),
      '',
    ].join('\n');

  /** The rule is created and reads back identically, or refused as invalid_rule at a line and column. */
  async function createdOrLocated(yaml: string, asJson: boolean): Promise<'created' | 'rejected'> {
    const req = t.http.post('/v1/rules').set(s.auth());
    const res = asJson ? await req.send({ yaml }) : await req.set('Content-Type', 'application/yaml').send(yaml);
    if (res.status === 201) {
      const got = await t.http.get(`/v1/rules/${res.body.id}`).set(s.auth()).expect(200);
      expect(got.body).toMatchObject(res.body);
      expect(got.body.yaml).toBe(yaml);
      await t.http.delete(`/v1/rules/${res.body.id}`).set(s.auth()).expect(200);
      return 'created';
    }
    if (res.status !== 400 || res.body.error?.code !== 'invalid_rule') {
      throw new Error(`expected 201 or 400 invalid_rule for ${JSON.stringify(yaml)}, got ${res.status} ${res.text.slice(0, 300)}`);
    }
    expect(res.body.error.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(res.body.error.details.line).toBeGreaterThanOrEqual(1);
    return 'rejected';
  }

  it('mutated valid rules: created and read back identically, or invalid_rule with line and column; never a 500', async () => {
    const outcomes = { created: 0, rejected: 0 };
    const parts = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      level: fc.oneof(fc.constantFrom('low', 'medium', 'high', 'critical', 'informational'), fc.string({ maxLength: 8 })),
      condition: fc.oneof(fc.constantFrom('sel', 'not sel', 'sel and sel', '1 of sel*', 'all of them'), fc.string({ maxLength: 15 })),
      extraKey: fc.oneof(fc.constant(''), fc.constantFrom('status', 'author', 'description', 'falsepositives')),
    });
    // A mutation of the text: a character deleted, inserted or replaced somewhere.
    const mutation = fc.option(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('delete', 'insert', 'replace'),
        fc.constantFrom(':', ' ', '\n', '-', '{', '|', "'", '"', '\t', 'x', '#'),
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(fc.uuid(), parts, mutation, fc.boolean(), async (id, p, m, asJson) => {
        let yaml = ruleText(id, p);
        if (m) {
          const [at, op, ch] = m;
          const i = at % yaml.length;
          yaml =
            op === 'delete'
              ? yaml.slice(0, i) + yaml.slice(i + 1)
              : op === 'insert'
                ? yaml.slice(0, i) + ch + yaml.slice(i)
                : yaml.slice(0, i) + ch + yaml.slice(i + 1);
        }
        outcomes[await createdOrLocated(yaml, asJson)]++;
      }),
      { numRuns: 120 },
    );
    // Both branches of the property were exercised.
    expect(outcomes.created).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  }, 60_000);

  it('arbitrary YAML-ish text: never a 500, always a rule or a located invalid_rule', async () => {
    const token = fc.oneof(
      fc.constantFrom(
        'title:',
        'id:',
        'detection:',
        'condition:',
        'logsource:',
        'sel:',
        'eventName',
        '|contains',
        '|re',
        '- ',
        ': ',
        '\n',
        '\n  ',
        '  ',
        '{',
        '}',
        '[',
        ']',
        '&a',
        '*a',
        '!!str',
        '---',
        '...',
        '#',
        '"',
        "'",
        '%',
        '@',
        '`',
        '?',
        'null',
        '1 of',
        'them',
        'and',
        'or',
        'not',
        '(',
        ')',
      ),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(token, { minLength: 1, maxLength: 30 })
          .map((ts) => ts.join(''))
          .filter((y) => y.length > 0),
        fc.boolean(),
        async (yaml, asJson) => {
          await createdOrLocated(yaml, asJson);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
