import { isMap, isScalar, isSeq, type Scalar, type YAMLMap } from 'yaml';
import { parseCondition } from './condition.parser';
import { isModifierName, validateModifiers } from './modifiers';
import type { SigmaPosition } from './sigma.errors';
import type { ConditionNode, Detection, FieldCondition, ModifierName, SearchIdentifier, SearchMap, SigmaScalar } from './sigma.types';
import { stringPatterns } from './value-pipeline';
import type { YamlContext } from './yaml-context';

/**
 * Parses a detection section (or the body of a filter) into the AST: search identifiers and the
 * parsed condition(s). `reserved` keys (e.g. a filter's `rules`) are skipped.
 */
export function parseDetection(ctx: YamlContext, node: YAMLMap, reserved: readonly string[] = []): Detection {
  const entries = ctx.pairs(node).filter((p) => !reserved.includes(p.key));
  const conditionEntry = entries.find((p) => p.key === 'condition');
  if (!conditionEntry) ctx.fail('missing_field', 'the detection has no condition', node);
  const timeframe = entries.find((p) => p.key === 'timeframe');

  // The condition is checked first so v1 rules fail with v1_aggregation, not a stray identifier error.
  const conditionNodes = conditionNodesOf(ctx, conditionEntry.value, conditionEntry.keyNode);
  if (timeframe) {
    ctx.fail('v1_aggregation', '"timeframe" in a detection is Sigma v1 syntax; use a correlation rule', timeframe.keyNode);
  }

  const identifiers = new Map<string, SearchIdentifier>();
  for (const entry of entries) {
    if (entry.key === 'condition') continue;
    identifiers.set(entry.key, parseSearchIdentifier(ctx, entry.key, entry.value, entry.keyNode));
  }
  if (identifiers.size === 0) ctx.fail('missing_field', 'the detection defines no search identifier', node);

  const names = [...identifiers.keys()];
  const conditions: ConditionNode[] = conditionNodes.map((scalar) =>
    parseCondition({
      text: String(scalar.value),
      identifiers: names,
      posOf: (offset) => ctx.posInScalar(scalar, offset),
      ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    }),
  );
  return { identifiers, conditions, conditionText: conditionNodes.map((s) => String(s.value)) };
}

function conditionNodesOf(ctx: YamlContext, value: unknown, keyNode: Scalar): Scalar[] {
  const one = (n: unknown): Scalar => {
    const r = ctx.resolve(n);
    if (isScalar(r) && typeof r.value === 'string') return r;
    return ctx.fail('invalid_condition', 'a condition must be a string', r ?? keyNode);
  };
  if (isSeq(value)) {
    if (value.items.length === 0) ctx.fail('invalid_condition', 'the condition list is empty', value);
    return value.items.map(one);
  }
  return [one(value)];
}

function parseSearchIdentifier(ctx: YamlContext, name: string, value: unknown, keyNode: Scalar): SearchIdentifier {
  const pos = ctx.pos(keyNode);
  if (isMap(value)) return { name, items: [parseSearchMap(ctx, value)], pos };
  if (isSeq(value)) {
    const items: SearchMap[] = [];
    const keywords: unknown[] = [];
    for (const raw of value.items) {
      const item = ctx.resolve(raw);
      if (isMap(item)) items.push(parseSearchMap(ctx, item));
      else if (isScalar(item)) keywords.push(item);
      else ctx.fail('invalid_value', `search identifier "${name}": list items must be values or maps`, item ?? value);
    }
    if (keywords.length > 0) items.unshift(keywordMap(ctx, keywords, value));
    if (items.length === 0) ctx.fail('invalid_value', `search identifier "${name}" is an empty list`, value);
    return { name, items, pos };
  }
  if (isScalar(value) && value.value !== null && typeof value.value === 'string') {
    return { name, items: [keywordMap(ctx, [value], value)], pos };
  }
  return ctx.fail('invalid_value', `search identifier "${name}" must be a map, a list of maps, or a list of keywords`, value ?? keyNode);
}

function keywordMap(ctx: YamlContext, scalars: unknown[], owner: unknown): SearchMap {
  const values = scalars.map((s) => scalarValue(ctx, s));
  const nullAt = values.indexOf(null);
  if (nullAt >= 0) ctx.fail('invalid_value', 'a keyword cannot be null', scalars[nullAt]);
  const valuePositions = scalars.map((s) => ctx.pos(s));
  const pos = ctx.pos(owner);
  const fail = (code: Parameters<YamlContext['failAt']>[0], message: string, at?: SigmaPosition): never =>
    ctx.failAt(code, message, at ?? pos);
  const cond: FieldCondition = { kind: 'field', field: null, modifiers: [], values, valuePositions, pos };
  validateModifiers(
    [],
    values,
    true,
    () => pos,
    (i) => valuePositions[i] ?? pos,
    fail,
  );
  return { kind: 'map', conditions: [cond], pos };
}

function scalarValue(ctx: YamlContext, node: unknown): SigmaScalar {
  if (!isScalar(node)) return ctx.fail('invalid_value', 'expected a value', node);
  const v = node.value;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  return ctx.fail('invalid_value', 'unsupported value type', node);
}

function parseSearchMap(ctx: YamlContext, map: YAMLMap): SearchMap {
  const conditions = ctx.pairs(map).map(({ key, keyNode, value }) => parseFieldCondition(ctx, key, keyNode, value));
  if (conditions.length === 0) ctx.fail('invalid_value', 'an empty map matches nothing', map);
  return { kind: 'map', conditions, pos: ctx.pos(map) };
}

function parseFieldCondition(ctx: YamlContext, key: string, keyNode: Scalar, value: unknown): FieldCondition {
  const pieces = key.split('|');
  const field = pieces[0]!;
  const pos = ctx.pos(keyNode);
  const offsets: number[] = [];
  let offset = field.length + 1;
  for (const piece of pieces.slice(1)) {
    offsets.push(offset);
    offset += piece.length + 1;
  }
  const modPos = (i: number): SigmaPosition => (i < 0 ? pos : ctx.posInScalar(keyNode, offsets[i] ?? 0));
  const modifiers: ModifierName[] = pieces.slice(1).map((m, i) => {
    if (!isModifierName(m)) return ctx.failAt('unknown_modifier', `unknown modifier "${m}"`, modPos(i));
    return m;
  });

  let nodes: unknown[];
  if (isSeq(value)) nodes = value.items.map((n) => ctx.resolve(n));
  else if (isMap(value)) return ctx.fail('invalid_value', `field "${field}" takes a value or a list of values, not a map`, value);
  else nodes = [value];
  const values = nodes.map((n) => (n === null || n === undefined ? null : scalarValue(ctx, n)));
  const valuePositions = nodes.map((n) => (n ? ctx.pos(n) : pos));
  const cond: FieldCondition = {
    kind: 'field',
    field: field === '' ? null : field,
    modifiers,
    values,
    valuePositions,
    pos,
  };
  const fail = (code: Parameters<YamlContext['failAt']>[0], message: string, at?: SigmaPosition): never =>
    ctx.failAt(code, message, at ?? pos);
  const kind = validateModifiers(modifiers, values, cond.field === null, modPos, (i) => valuePositions[i] ?? pos, fail);
  if (kind === 'string') {
    // Dry run of the value pipeline (placeholders expand to a dummy) to reject impossible chains now.
    stringPatterns(cond, () => ['x'], fail);
  }
  return cond;
}
