import { randomUUID } from 'node:crypto';
import { updateTrailRecord } from './support/fixtures';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

describe('rules API', () => {
  let t: TestApp;
  let s: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    s = await TenantSession.create(t);
  });
  afterAll(() => t.close());

  it('lists the built-in library with state, paginated', async () => {
    const first = await t.http.get('/v1/rules?limit=20').set(s.auth()).expect(200);
    expect(first.body.data).toHaveLength(20);
    const all = [...first.body.data];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await t.http.get(`/v1/rules?limit=20&cursor=${cursor}`).set(s.auth()).expect(200);
      all.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    expect(all.length).toBe(62);
    expect(all.every((r) => r.source === 'builtin' && r.enabled === true)).toBe(true);
    const seed = all.find((r) => r.title === 'AWS CloudTrail UpdateTrail with multi-region disabled');
    expect(seed).toMatchObject({ level: 'high', severity: 'high', author: expect.any(String) });
  });

  it('shows a built-in rule with its YAML and refuses to replace or delete it', async () => {
    const list = (await t.http.get('/v1/rules?limit=500').set(s.auth()).expect(200)).body.data;
    const seed = list.find((r: { title: string }) => r.title === 'AWS CloudTrail UpdateTrail with multi-region disabled');
    const one = await t.http.get(`/v1/rules/${seed.id}`).set(s.auth()).expect(200);
    expect(one.body.yaml).toContain('isMultiRegionTrail');
    const del = await t.http.delete(`/v1/rules/${seed.id}`).set(s.auth()).expect(400);
    expect(del.body.error.code).toBe('builtin_rule');
    await t.http.put(`/v1/rules/${seed.id}`).set(s.auth()).set('Content-Type', 'application/yaml').send(one.body.yaml).expect(400);
  });

  it('disables, re-enables and overrides the level of a rule', async () => {
    const list = (await t.http.get('/v1/rules?limit=500').set(s.auth()).expect(200)).body.data;
    const seed = list.find((r: { title: string }) => r.title === 'AWS CloudTrail UpdateTrail');
    const off = await t.http.patch(`/v1/rules/${seed.id}`).set(s.auth()).send({ enabled: false, level: 'critical' }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, levelOverride: 'critical', severity: 'critical', level: 'medium' });
    const disabled = await t.http.get('/v1/rules?enabled=false').set(s.auth()).expect(200);
    expect(disabled.body.data.map((r: { id: string }) => r.id)).toEqual([seed.id]);
    const on = await t.http.patch(`/v1/rules/${seed.id}`).set(s.auth()).send({ enabled: true, level: null }).expect(200);
    expect(on.body).toMatchObject({ enabled: true, levelOverride: null, severity: 'medium' });
    await t.http.patch(`/v1/rules/${seed.id}`).set(s.auth()).send({}).expect(400);
    await t.http.patch(`/v1/rules/${randomUUID()}`).set(s.auth()).send({ enabled: false }).expect(404);
  });

  it('creates, replaces and deletes a custom rule (YAML or JSON), admin only', async () => {
    const id = randomUUID();
    const yaml = (level: string) =>
      `title: Trail deleted\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteTrail}\n  condition: sel\nlevel: ${level}\n`;
    const analyst = await s.key('analyst');
    await t.http
      .post('/v1/rules')
      .set(s.auth(analyst.key))
      .send({ yaml: yaml('low') })
      .expect(403);
    const created = await t.http
      .post('/v1/rules')
      .set(s.auth())
      .send({ yaml: yaml('low') })
      .expect(201);
    expect(created.body).toMatchObject({ id, source: 'custom', level: 'low', enabled: true });
    await t.http
      .post('/v1/rules')
      .set(s.auth())
      .send({ yaml: yaml('low') })
      .expect(409);
    const replaced = await t.http
      .put(`/v1/rules/${id}`)
      .set(s.auth())
      .set('Content-Type', 'application/yaml')
      .send(yaml('high'))
      .expect(200);
    expect(replaced.body).toMatchObject({ level: 'high', yaml: yaml('high') });
    const mismatch = await t.http
      .put(`/v1/rules/${randomUUID()}`)
      .set(s.auth())
      .send({ yaml: yaml('high') })
      .expect(400);
    expect(mismatch.body.error.code).toBe('id_mismatch');
    await t.http.delete(`/v1/rules/${id}`).set(s.auth()).expect(200);
    await t.http.get(`/v1/rules/${id}`).set(s.auth()).expect(404);
  });

  it.each([
    ['malformed YAML', 'title: x\ndetection: [unclosed\n', 'yaml_syntax'],
    [
      'a v1 aggregation',
      `title: x\nid: ${randomUUID()}\nlogsource: {product: aws}\ndetection:\n  s: {eventName: A}\n  condition: s | count() > 5\n`,
      'v1_aggregation',
    ],
    [
      'an undefined identifier',
      `title: x\nid: ${randomUUID()}\nlogsource: {product: aws}\ndetection:\n  s: {eventName: A}\n  condition: s and other\n`,
      'undefined_identifier',
    ],
  ])('rejects %s with its position', async (_name, yaml, reason) => {
    const res = await t.http.post('/v1/rules').set(s.auth()).set('Content-Type', 'application/yaml').send(yaml).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_rule', details: { reason } });
    expect(res.body.error.details.line).toBeGreaterThan(0);
    expect(res.body.error.details.column).toBeGreaterThan(0);
  });

  it('caps a rule at 200,000 characters whatever its content type', async () => {
    const big = `title: x\nid: ${randomUUID()}\nlogsource: {product: aws}\ndescription: ${'x'.repeat(200_001)}\ndetection:\n  s: {eventName: A}\n  condition: s\n`;
    const asYaml = await t.http.post('/v1/rules').set(s.auth()).set('Content-Type', 'application/yaml').send(big).expect(400);
    const asJson = await t.http.post('/v1/rules').set(s.auth()).send({ yaml: big }).expect(400);
    expect(asYaml.body.error.code).toBe('validation_failed');
    expect(asJson.body.error.code).toBe('validation_failed');
    const list = await t.http.get('/v1/rules?source=custom').set(s.auth()).expect(200);
    expect(list.body.data.some((r: { title: string }) => r.title === 'x')).toBe(false);
  });

  it('tests a rule against sample events (YAML or an existing id)', async () => {
    const events = [updateTrailRecord({ by: 'attacker', multiRegion: false }), updateTrailRecord({ by: 'attacker', multiRegion: true })];
    const list = (await t.http.get('/v1/rules?limit=500').set(s.auth()).expect(200)).body.data;
    const seed = list.find((r: { title: string }) => r.title === 'AWS CloudTrail UpdateTrail with multi-region disabled');
    const byId = await t.http.post('/v1/rules/test').set(s.auth()).send({ ruleId: seed.id, events }).expect(200);
    expect(byId.body).toMatchObject({ evaluated: 2, matched: 1 });
    expect(byId.body.matches[0]).toMatchObject({ index: 0, ruleId: seed.id, eventId: events[0]!.eventID });
    const yaml = `title: OCSF names\nid: ${randomUUID()}\nlogsource: {product: aws}\ndetection:\n  s:\n    api.operation: UpdateTrail\n    api.request.data.isMultiRegionTrail: true\n  condition: s\n`;
    const byYaml = await t.http.post('/v1/rules/test').set(s.auth()).send({ yaml, events }).expect(200);
    expect(byYaml.body.matches.map((m: { index: number }) => m.index)).toEqual([1]);
    await t.http.post('/v1/rules/test').set(s.auth()).send({ events }).expect(400);
  });

  it('stores, lists, tests, disables and deletes a tenant filter (ANDed onto the rules it names)', async () => {
    const list = (await t.http.get('/v1/rules?limit=500').set(s.auth()).expect(200)).body.data;
    const seed = list.find((r: { title: string }) => r.title === 'AWS CloudTrail UpdateTrail with multi-region disabled');
    const events = [updateTrailRecord({ by: 'attacker', multiRegion: false }), updateTrailRecord({ by: 'admin', multiRegion: false })];
    const id = randomUUID();
    const filter = (condition: string) =>
      `title: Cloud admins change trails\nid: ${id}\nlogsource: {product: aws}\nfilter:\n  rules: [${seed.id}]\n  admins:\n    actor.session.issuer|endswith: ':role/CloudAdmin'\n  condition: ${condition}\n`;

    // Dry run of the filter on the rules it names: `not admins` drops the admin's event only.
    const dry = await t.http
      .post('/v1/rules/test')
      .set(s.auth())
      .send({ yaml: filter('not admins'), events })
      .expect(200);
    expect(dry.body.matches.map((m: { index: number; ruleId: string }) => [m.index, m.ruleId])).toEqual([[0, seed.id]]);
    expect(dry.body.warnings).toEqual([]);
    const keep = await t.http
      .post('/v1/rules/test')
      .set(s.auth())
      .send({ yaml: filter('admins'), events })
      .expect(200);
    expect(keep.body.matches.map((m: { index: number }) => m.index)).toEqual([1]);

    const created = await t.http
      .post('/v1/rules')
      .set(s.auth())
      .set('Content-Type', 'application/yaml')
      .send(filter('not admins'))
      .expect(201);
    expect(created.body).toMatchObject({ id, kind: 'filter', source: 'custom', enabled: true, rules: [seed.id], level: null });
    const listed = (await t.http.get('/v1/rules?source=custom').set(s.auth()).expect(200)).body.data;
    expect(listed.map((r: { id: string; kind: string }) => [r.id, r.kind])).toEqual([[id, 'filter']]);

    // The stored filter now narrows the rule it names, in dry runs as in the worker.
    const byId = await t.http.post('/v1/rules/test').set(s.auth()).send({ ruleId: seed.id, events }).expect(200);
    expect(byId.body.matches.map((m: { index: number }) => m.index)).toEqual([0]);
    await t.http.patch(`/v1/rules/${id}`).set(s.auth()).send({ enabled: false }).expect(200);
    const disabled = await t.http.post('/v1/rules/test').set(s.auth()).send({ ruleId: seed.id, events }).expect(200);
    expect(disabled.body.matches.map((m: { index: number }) => m.index)).toEqual([0, 1]);
    await t.http.delete(`/v1/rules/${id}`).set(s.auth()).expect(200);
  });

  it('rejects a rule whose |expand placeholder the server cannot resolve; %Administrators% is the allowlist', async () => {
    const yaml = (placeholder: string) =>
      `title: x\nid: ${randomUUID()}\nlogsource: {product: aws}\ndetection:\n  s: {eventName: UpdateTrail}\n  a: {userIdentity.arn|expand: '%${placeholder}%'}\n  condition: s and not a\n`;
    const bad = await t.http.post('/v1/rules').set(s.auth()).set('Content-Type', 'application/yaml').send(yaml('Operators')).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_rule', details: { reason: 'unsupported_placeholder', line: 6 } });
    const ok = await t.http
      .post('/v1/rules')
      .set(s.auth())
      .set('Content-Type', 'application/yaml')
      .send(yaml('Administrators'))
      .expect(201);
    await t.http.delete(`/v1/rules/${ok.body.id}`).set(s.auth()).expect(200);
  });
});
