import { compileFieldCondition, resolveFieldPath, type CompileEnv, type EventPredicate } from './field-condition.compiler';
import { hasWildcards, parseSigmaString, plainText } from './sigma-string';
import type { ConditionNode, Detection, SearchIdentifier, SearchMap } from './sigma.types';

function and(preds: EventPredicate[]): EventPredicate {
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const [a, b] = preds as [EventPredicate, EventPredicate];
    return (e) => a(e) && b(e);
  }
  return (e) => {
    for (const p of preds) if (!p(e)) return false;
    return true;
  };
}

function or(preds: EventPredicate[]): EventPredicate {
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const [a, b] = preds as [EventPredicate, EventPredicate];
    return (e) => a(e) || b(e);
  }
  return (e) => {
    for (const p of preds) if (p(e)) return true;
    return false;
  };
}

function compileMap(map: SearchMap, env: CompileEnv): EventPredicate {
  return and(map.conditions.map((c) => compileFieldCondition(c, env)));
}

function compileIdentifier(id: SearchIdentifier, env: CompileEnv): EventPredicate {
  return or(id.items.map((m) => compileMap(m, env)));
}

/** Compiles a detection (condition over search identifiers) into one closure. */
export function compileDetection(detection: Detection, env: CompileEnv): EventPredicate {
  const compiled = new Map<string, EventPredicate>();
  const identifier = (name: string): EventPredicate => {
    let p = compiled.get(name);
    if (!p) {
      p = compileIdentifier(detection.identifiers.get(name)!, env);
      compiled.set(name, p);
    }
    return p;
  };
  const compileNode = (node: ConditionNode): EventPredicate => {
    switch (node.kind) {
      case 'or':
        return or(node.operands.map(compileNode));
      case 'and':
        return and(node.operands.map(compileNode));
      case 'not': {
        const inner = compileNode(node.operand);
        return (e) => !inner(e);
      }
      case 'identifier':
        return identifier(node.name);
      case 'quantified': {
        const preds = node.names.map(identifier);
        return node.quantifier === 'one' ? or(preds) : and(preds);
      }
      default: {
        const exhaustive: never = node;
        throw new Error(`unhandled condition node ${JSON.stringify(exhaustive)}`);
      }
    }
  };
  return or(detection.conditions.map(compileNode));
}

/**
 * The lower-cased literal values `field` must equal for the detection to match, or undefined when
 * the detection can match without one (negations, wildcards, modifiers, maps lacking the field).
 * Used to index rules by eventName/eventSource.
 */
export function requiredLiterals(detection: Detection, field: string, aliases: Readonly<Record<string, string>>): Set<string> | undefined {
  const fromMap = (map: SearchMap): Set<string> | undefined => {
    let best: Set<string> | undefined;
    for (const c of map.conditions) {
      if (c.field === null || resolveFieldPath(c.field, aliases) !== field) continue;
      if (c.modifiers.some((m) => m !== 'cased')) continue;
      const set = new Set<string>();
      let ok = true;
      for (const v of c.values) {
        if (v === null) {
          ok = false;
          break;
        }
        const parts = parseSigmaString(String(v));
        if (hasWildcards(parts)) {
          ok = false;
          break;
        }
        set.add(plainText(parts).toLowerCase());
      }
      if (ok && (!best || set.size < best.size)) best = set;
    }
    return best;
  };
  const union = (sets: Array<Set<string> | undefined>): Set<string> | undefined => {
    const out = new Set<string>();
    for (const s of sets) {
      if (!s) return undefined;
      for (const v of s) out.add(v);
    }
    return out;
  };
  const intersect = (sets: Array<Set<string> | undefined>): Set<string> | undefined => {
    let best: Set<string> | undefined;
    for (const s of sets) if (s && (!best || s.size < best.size)) best = s;
    return best;
  };
  const ofIdentifier = (name: string): Set<string> | undefined => union(detection.identifiers.get(name)!.items.map(fromMap));
  const ofNode = (node: ConditionNode): Set<string> | undefined => {
    switch (node.kind) {
      case 'or':
        return union(node.operands.map(ofNode));
      case 'and':
        return intersect(node.operands.map(ofNode));
      case 'not':
        return undefined;
      case 'identifier':
        return ofIdentifier(node.name);
      case 'quantified':
        return node.quantifier === 'one' ? union(node.names.map(ofIdentifier)) : intersect(node.names.map(ofIdentifier));
      default: {
        const exhaustive: never = node;
        throw new Error(`unhandled condition node ${JSON.stringify(exhaustive)}`);
      }
    }
  };
  return union(detection.conditions.map(ofNode));
}
