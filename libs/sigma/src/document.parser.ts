import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type YAMLMap } from 'yaml';
import { parseDetection } from './detection.parser';
import { SigmaError } from './sigma.errors';
import type {
  CorrelationCondition,
  CorrelationType,
  LogSource,
  RelatedRule,
  SigmaCorrelation,
  SigmaDocument,
  SigmaFilter,
  SigmaLevel,
  SigmaRule,
  SigmaStatus,
} from './sigma.types';
import { YamlContext } from './yaml-context';

const LEVELS: readonly SigmaLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES: readonly SigmaStatus[] = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const RELATED_TYPES: readonly RelatedRule['type'][] = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
const CORRELATION_TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const UNSUPPORTED_CORRELATIONS = ['value_sum', 'value_avg', 'value_percentile'];
const RULE_KEYS = new Set([
  'title',
  'id',
  'name',
  'related',
  'taxonomy',
  'status',
  'description',
  'license',
  'references',
  'author',
  'date',
  'modified',
  'logsource',
  'detection',
  'fields',
  'falsepositives',
  'level',
  'tags',
  'scope',
]);

/**
 * Parses one YAML text holding one or more Sigma documents (rules, filters, correlations) and
 * validates each against the v2 specification. Throws SigmaError with the line and column of the
 * first problem.
 */
export function parseSigma(text: string, source?: string): SigmaDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const out: SigmaDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const lp = lineCounter.linePos(error.pos[0]);
      throw new SigmaError('yaml_syntax', error.message.split('\n')[0] ?? 'invalid YAML', { line: lp.line, column: lp.col }, source);
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    const ctx = new YamlContext(doc, lineCounter, source, text);
    const root = ctx.expectMap(doc.contents, 'a Sigma document');
    out.push(parseDocument(ctx, root));
  }
  return out;
}

function parseDocument(ctx: YamlContext, root: YAMLMap): SigmaDocument {
  const fields = new Map(ctx.pairs(root).map((p) => [p.key, p] as const));
  const get = (key: string): unknown => fields.get(key)?.value;
  const action = get('action');
  if (action !== undefined) ctx.fail('invalid_document', '"action" (rule collections) is Sigma v1 syntax', fields.get('action')!.keyNode);
  if (fields.has('correlation')) return parseCorrelation(ctx, root, get);
  if (fields.has('filter')) return parseFilter(ctx, root, get);
  if (!fields.has('detection')) ctx.fail('missing_field', 'a rule needs a "detection" section (or "correlation" / "filter")', root);
  return parseRule(ctx, root, get);
}

type Getter = (key: string) => unknown;

function common(ctx: YamlContext, root: YAMLMap, get: Getter) {
  const title = get('title');
  if (title === undefined) ctx.fail('missing_field', 'missing required field "title"', root);
  const opt = (key: string): Record<string, string> => {
    const v = ctx.optionalString(get(key), `"${key}"`);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    title: ctx.string(title, '"title"'),
    ...opt('id'),
    ...opt('name'),
    ...opt('description'),
    ...opt('author'),
    ...opt('date'),
    ...opt('modified'),
    ...opt('taxonomy'),
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    pos: ctx.pos(root),
  };
}

function enumField<T extends string>(ctx: YamlContext, get: Getter, key: string, allowed: readonly T[]): { [k: string]: T } {
  const node = get(key);
  const v = ctx.optionalString(node, `"${key}"`);
  if (v === undefined) return {};
  if (!allowed.includes(v as T)) ctx.fail('invalid_field', `"${key}" must be one of ${allowed.join(', ')}`, node);
  return { [key]: v as T };
}

function logsource(ctx: YamlContext, root: YAMLMap, get: Getter): LogSource {
  const node = get('logsource');
  if (node === undefined) ctx.fail('missing_field', 'missing required field "logsource"', root);
  const map = ctx.expectMap(node, '"logsource"');
  const out: Record<string, string> = {};
  for (const { key, value } of ctx.pairs(map)) {
    const v = ctx.optionalString(value, `logsource "${key}"`);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function parseRule(ctx: YamlContext, root: YAMLMap, get: Getter): SigmaRule {
  const detectionNode = ctx.expectMap(get('detection'), '"detection"');
  const relatedNode = get('related');
  const related: RelatedRule[] = [];
  if (relatedNode !== undefined && relatedNode !== null) {
    if (!isSeq(relatedNode)) ctx.fail('invalid_field', '"related" must be a list', relatedNode);
    for (const item of relatedNode.items) {
      const m = ctx.expectMap(ctx.resolve(item), 'each "related" entry', relatedNode);
      const e = new Map(ctx.pairs(m).map((p) => [p.key, p.value] as const));
      const type = ctx.string(e.get('type'), 'related "type"', m);
      if (!RELATED_TYPES.includes(type as RelatedRule['type']))
        ctx.fail('invalid_field', `related "type" must be one of ${RELATED_TYPES.join(', ')}`, e.get('type'));
      related.push({ id: ctx.string(e.get('id'), 'related "id"', m), type: type as RelatedRule['type'] });
    }
  }
  const custom: Record<string, unknown> = {};
  for (const { key, value } of ctx.pairs(root)) {
    if (!RULE_KEYS.has(key)) custom[key] = isScalar(value) || isMap(value) || isSeq(value) ? value.toJSON() : value;
  }
  const license = ctx.optionalString(get('license'), '"license"');
  return {
    kind: 'rule',
    ...common(ctx, root, get),
    ...enumField(ctx, get, 'status', STATUSES),
    ...enumField(ctx, get, 'level', LEVELS),
    ...(license !== undefined ? { license } : {}),
    references: ctx.stringList(get('references'), '"references"'),
    tags: ctx.stringList(get('tags'), '"tags"'),
    related,
    logsource: logsource(ctx, root, get),
    detection: parseDetection(ctx, detectionNode),
    fields: ctx.stringList(get('fields'), '"fields"'),
    falsepositives: ctx.stringList(get('falsepositives'), '"falsepositives"'),
    scope: ctx.stringList(get('scope'), '"scope"'),
    custom,
  };
}

function parseFilter(ctx: YamlContext, root: YAMLMap, get: Getter): SigmaFilter {
  const filterNode = ctx.expectMap(get('filter'), '"filter"');
  const inner = new Map(ctx.pairs(filterNode).map((p) => [p.key, p.value] as const));
  if (!inner.has('rules')) ctx.fail('missing_field', 'a filter needs "rules" (the ids or names it applies to)', filterNode);
  const rules = ctx.stringList(inner.get('rules'), 'filter "rules"');
  if (rules.length === 0) ctx.fail('invalid_field', 'filter "rules" is empty', inner.get('rules') ?? filterNode);
  // pySigma (SigmaGlobalFilter) takes exactly one condition string: it is ANDed onto the rule's.
  const conditionNode = inner.get('condition');
  if (isSeq(conditionNode)) ctx.fail('invalid_condition', 'a filter has one condition (a string), not a list', conditionNode);
  return {
    kind: 'filter',
    ...common(ctx, root, get),
    logsource: logsource(ctx, root, get),
    rules,
    detection: parseDetection(ctx, filterNode, ['rules']),
  };
}

const TIMESPAN = /^(\d+)([smhdwMy])$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000,
  y: 31_536_000_000,
};

export function parseTimespan(text: string): number | undefined {
  const m = TIMESPAN.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

function parseCorrelation(ctx: YamlContext, root: YAMLMap, get: Getter): SigmaCorrelation {
  const node = ctx.expectMap(get('correlation'), '"correlation"');
  const c = new Map(ctx.pairs(node).map((p) => [p.key, p] as const));
  const req = (key: string): unknown => {
    const v = c.get(key)?.value;
    if (v === undefined || (isScalar(v) && v.value === null)) ctx.fail('missing_field', `correlation needs "${key}"`, node);
    return v;
  };
  const typeNode = req('type');
  const type = ctx.string(typeNode, 'correlation "type"');
  if (UNSUPPORTED_CORRELATIONS.includes(type))
    ctx.fail('unsupported_correlation_type', `correlation type "${type}" is not supported`, typeNode);
  if (!CORRELATION_TYPES.includes(type as CorrelationType))
    ctx.fail('invalid_field', `correlation "type" must be one of ${CORRELATION_TYPES.join(', ')}`, typeNode);
  const rules = ctx.stringList(req('rules'), 'correlation "rules"');
  if (rules.length === 0) ctx.fail('invalid_field', 'correlation "rules" is empty', c.get('rules')?.value);
  const timespanNode = req('timespan');
  const timespan = ctx.string(timespanNode, 'correlation "timespan"');
  const timespanMs = parseTimespan(timespan);
  if (timespanMs === undefined || timespanMs <= 0)
    ctx.fail('invalid_field', 'timespan must be a number and a unit: 30s, 5m, 1h, 1d', timespanNode);
  const groupBy = ctx.stringList(c.get('group-by')?.value, 'correlation "group-by"');

  let condition: CorrelationCondition | undefined;
  const condNode = c.get('condition')?.value;
  if (condNode !== undefined && !(isScalar(condNode) && condNode.value === null)) {
    const cm = ctx.expectMap(condNode, 'correlation "condition"');
    const out: { -readonly [K in keyof CorrelationCondition]: CorrelationCondition[K] } = {};
    for (const { key, keyNode, value } of ctx.pairs(cm)) {
      if (key === 'field') {
        out.field = ctx.stringList(value, 'condition "field"');
      } else if (key === 'gt' || key === 'gte' || key === 'lt' || key === 'lte' || key === 'eq' || key === 'neq') {
        if (!isScalar(value) || typeof value.value !== 'number')
          ctx.fail('invalid_field', `condition "${key}" must be a number`, value ?? keyNode);
        out[key] = value.value;
      } else {
        ctx.fail('invalid_field', `unknown correlation condition "${key}" (use gt, gte, lt, lte, eq, neq, field)`, keyNode);
      }
    }
    if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].every((k) => !(k in out)))
      ctx.fail('invalid_field', 'the condition needs a comparison (gt, gte, lt, lte, eq or neq)', cm);
    condition = out;
  }
  if ((type === 'event_count' || type === 'value_count') && !condition)
    ctx.fail('missing_field', `a ${type} correlation needs a "condition"`, node);
  if (type === 'value_count' && !condition?.field?.length)
    ctx.fail('missing_field', 'a value_count correlation needs "field" in its condition', condNode ?? node);

  const aliases: Record<string, Record<string, string>> = {};
  const aliasNode = c.get('aliases')?.value;
  if (aliasNode !== undefined && aliasNode !== null) {
    for (const { key, value } of ctx.pairs(ctx.expectMap(aliasNode, 'correlation "aliases"'))) {
      const perRule: Record<string, string> = {};
      for (const entry of ctx.pairs(ctx.expectMap(value, `alias "${key}"`)))
        perRule[entry.key] = ctx.string(entry.value, `alias "${key}" field`);
      aliases[key] = perRule;
    }
  }
  const generateNode = get('generate') ?? c.get('generate')?.value;
  let generate = false;
  if (generateNode !== undefined) {
    if (!isScalar(generateNode) || typeof generateNode.value !== 'boolean')
      ctx.fail('invalid_field', '"generate" must be true or false', generateNode);
    generate = generateNode.value;
  }
  return {
    kind: 'correlation',
    ...common(ctx, root, get),
    ...enumField(ctx, get, 'status', STATUSES),
    ...enumField(ctx, get, 'level', LEVELS),
    references: ctx.stringList(get('references'), '"references"'),
    tags: ctx.stringList(get('tags'), '"tags"'),
    falsepositives: ctx.stringList(get('falsepositives'), '"falsepositives"'),
    generate,
    correlation: {
      type: type as CorrelationType,
      rules,
      groupBy,
      timespan,
      timespanMs: timespanMs!,
      ...(condition ? { condition } : {}),
      aliases,
    },
  };
}
