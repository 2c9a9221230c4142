/**
 * Field resolution against a JSON event.
 *
 * - `a.b.c` walks nested objects. At every level a key that literally contains the remaining dotted
 *   path wins over walking into it (`{"a.b": 1}` answers `a.b`), so flattened events work too.
 * - When the walk crosses an array, every element is followed and the results are collected: the
 *   getter then returns an array, and a condition on the field holds when ANY element satisfies it
 *   (the same rule as for a field whose value is itself an array of scalars).
 * - A missing field is `undefined`; a present JSON null is `null` (so `exists` and `null` differ).
 */
export type FieldGetter = (event: unknown) => unknown;

export function makeGetter(path: string): FieldGetter {
  if (!path.includes('.')) {
    return (event) => (event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[path] : undefined);
  }
  const segments = path.split('.');
  // joined[i] = segments[i..].join('.') — the literal key tried before descending at depth i.
  const joined = segments.map((_, i) => segments.slice(i).join('.'));
  const walk = (node: unknown, i: number): unknown => {
    if (node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const element of node) {
        const v = walk(element, i);
        if (v === undefined) continue;
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      return out.length === 0 ? undefined : out;
    }
    const obj = node as Record<string, unknown>;
    if (i < segments.length - 1) {
      const literal = obj[joined[i]!];
      if (literal !== undefined) return literal;
      return walk(obj[segments[i]!], i + 1);
    }
    return obj[segments[i]!];
  };
  const last = segments.length - 1;
  return (event) => {
    if (event === null || typeof event !== 'object') return undefined;
    let node = event as Record<string, unknown>;
    for (let i = 0; i < last; i++) {
      const literal = node[joined[i]!];
      if (literal !== undefined) return literal;
      const next = node[segments[i]!];
      if (next === null || typeof next !== 'object') return undefined;
      if (Array.isArray(next)) return walk(next, i + 1);
      node = next as Record<string, unknown>;
    }
    return node[segments[last]!];
  };
}

/** Every scalar leaf of an event, for keyword (whole-event) searches. */
export function collectLeaves(event: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(event)) {
    for (const e of event) collectLeaves(e, out);
  } else if (event !== null && typeof event === 'object') {
    for (const key in event as Record<string, unknown>) collectLeaves((event as Record<string, unknown>)[key], out);
  } else if (event !== undefined && event !== null) {
    out.push(event);
  }
  return out;
}

/**
 * The string a value compares as: booleans and numbers by their string form (`false` matches
 * 'false'), nested objects as their JSON text (rules such as `requestParameters|contains` expect it).
 */
export function stringForm(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? undefined : JSON.stringify(value);
    default:
      return undefined;
  }
}

export function numericForm(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
