import { isAscii } from 'node:buffer';
import { requiredLiteral } from './regex-prefilter';
import { parseSigmaString } from './sigma-string';
import type { ConditionNode, Detection, FieldCondition, SearchMap } from './sigma.types';

/**
 * Deciding from a raw NDJSON line, before JSON.parse, that no rule can match the record it holds.
 * Exactness rests on three facts, each checked per line (anything else is parsed):
 * - the line is ASCII with no backslash, so every string in it appears verbatim (no escape can hide
 *   a key or a value, and ASCII case folding is the Unicode lower-casing the matchers use);
 * - `"eventSource"` and `"eventName"` each occur at most once in the line; where one occurs as a
 *   key with a string value, that value is the one its record carries (a second record, or an
 *   envelope holding another, would need a second occurrence), and a record lacking the key has
 *   fewer candidate rules than the value adds (the index takes the union of both lookups);
 * - the rules indexed under those values are none, and every other rule (the ones the index must
 *   always try) needs one of a few literals (rawLiterals) to occur, in any case, in the line.
 * A line lacking either key is parsed (it may hold a record the always-tried rules could match, or
 * nothing that is CloudTrail at all, which the reader reports).
 */
export type LinePrefilter = (line: Buffer, text: string) => boolean;

const SOURCE_KEY = '"eventSource"';
const NAME_KEY = '"eventName"';
const MEMO_LIMIT = 20_000;

/**
 * @param indexed whether any rule indexed by eventName/eventSource could match (source, name)
 * @param literals lower-case literals, one of which every always-tried rule needs; undefined: some
 *   always-tried rule has none, so no line can be skipped
 */
export function buildLinePrefilter(
  indexed: (source: string, name: string) => boolean,
  literals: readonly string[] | undefined,
): LinePrefilter | undefined {
  if (literals === undefined) return undefined;
  const memo = new Map<string, Map<string, boolean>>();
  let memoSize = 0;
  const mayMatchIndexed = (source: string, name: string): boolean => {
    let byName = memo.get(source);
    if (byName === undefined) memo.set(source, (byName = new Map()));
    let hit = byName.get(name);
    if (hit === undefined) {
      if (memoSize++ >= MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
        memo.set(source, byName);
      }
      hit = indexed(source, name);
      byName.set(name, hit);
    }
    return hit;
  };
  // A literal inside a key name would be in every keyed line: nothing could be skipped (and the key
  // alternative, matching first there, would hide it).
  const bare = literals.map((l) => l.replace(/^"|"$/g, ''));
  if (bare.some((l) => 'eventsource'.includes(l) || 'eventname'.includes(l))) return undefined;
  // One case-insensitive pass over the line finds the literals (group 1, tried first: a literal
  // anywhere keeps the line) and the two keys (the text is ASCII, so `i` folds as the rules do).
  const alternatives = [SOURCE_KEY, NAME_KEY].map((k) => `(${escapeRegExp(k)})`);
  if (literals.length > 0) alternatives.unshift(`(${literals.map(escapeRegExp).join('|')})`);
  const scan = new RegExp(alternatives.join('|'), 'gi');
  const literalGroup = literals.length > 0 ? 1 : -1;
  return (line, text) => {
    if (!isAscii(line) || text.indexOf('\\') !== -1) return true;
    scan.lastIndex = 0;
    let sourceAt = -1;
    let nameAt = -1;
    let checked = false;
    for (let m = scan.exec(text); m !== null; m = scan.exec(text)) {
      if (literalGroup === 1 && m[1] !== undefined) return true; // an always-tried rule may match
      const found = m[0];
      if (found === SOURCE_KEY) {
        if (sourceAt !== -1) return true;
        sourceAt = m.index;
      } else if (found === NAME_KEY) {
        if (nameAt !== -1) return true;
        nameAt = m.index;
      } else {
        continue; // another spelling is another key
      }
      if (!checked && sourceAt !== -1 && nameAt !== -1) {
        // Usually early in the line: an indexed rule that may match ends the scan.
        const source = stringValueAt(text, sourceAt + SOURCE_KEY.length);
        const name = stringValueAt(text, nameAt + NAME_KEY.length);
        if (source === undefined || name === undefined || mayMatchIndexed(source, name)) return true;
        checked = true;
      }
    }
    // Both keys once, nothing indexed under their values, no literal anywhere: no rule can match.
    return !checked;
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The string after `"key"` at `from` (`: "value"`), or undefined when the value is not a string. */
function stringValueAt(text: string, from: number): string | undefined {
  let i = from;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x3a /* : */) return undefined;
  i++;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x22 /* " */) return undefined;
  const end = text.indexOf('"', i + 1);
  return end === -1 ? undefined : text.slice(i + 1, end);
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Lower-case literals one of which occurs in the text of every event the detection matches, or
 * undefined when that cannot be shown. "Occurs" is about the raw JSON line of the event: only
 * literals that cannot straddle JSON structure or a number's spelling are kept (letters, digits,
 * space and `_ . / @ -`, with a letter other than `e`), so a string field equal to, containing or
 * matching them spells them out in the line.
 */
export function rawLiterals(detection: Detection): Set<string> | undefined {
  const ofNode = (node: ConditionNode): Set<string> | undefined => {
    switch (node.kind) {
      case 'or':
        return union(node.operands.map(ofNode));
      case 'and':
        return best(node.operands.map(ofNode));
      case 'not':
        return undefined;
      case 'identifier':
        return ofIdentifier(node.name);
      case 'quantified':
        return node.quantifier === 'one' ? union(node.names.map(ofIdentifier)) : best(node.names.map(ofIdentifier));
      default: {
        const exhaustive: never = node;
        throw new Error(`unhandled condition node ${JSON.stringify(exhaustive)}`);
      }
    }
  };
  const ofIdentifier = (name: string): Set<string> | undefined => union(detection.identifiers.get(name)!.items.map(ofMap));
  const ofMap = (map: SearchMap): Set<string> | undefined => best(map.conditions.map(ofCondition));
  return union(detection.conditions.map(ofNode));
}

const PLAIN_MODIFIERS = new Set(['contains', 'startswith', 'endswith', 'cased', 'all']);

function ofCondition(cond: FieldCondition): Set<string> | undefined {
  // Keyword searches and field values alike need their text somewhere in the event, whatever the
  // field (native or alias) is.
  const mods = cond.modifiers;
  const isRegex = mods.includes('re');
  if (!isRegex && mods.some((m) => !PLAIN_MODIFIERS.has(m))) return undefined;
  if (isRegex && mods.some((m) => m !== 're' && m !== 'i' && m !== 'm' && m !== 's')) return undefined;
  // A field value equal to (starting, ending with) a text is a JSON string in the line: that text
  // with its quote(s) occurs there. Keywords and `contains` may sit anywhere in a string.
  const anchored = cond.field !== null && !mods.includes('contains');
  const atStart = anchored && !mods.includes('endswith');
  const atEnd = anchored && !mods.includes('startswith');
  const out = new Set<string>();
  for (const value of cond.values) {
    if (value === null) return undefined;
    const literal = isRegex ? longestSafe([requiredLiteral(String(value)) ?? '']) : valueLiteral(String(value), atStart, atEnd);
    if (literal === undefined) return undefined;
    out.add(literal);
  }
  return out.size > 0 ? out : undefined;
}

const SAFE_RUN = /[a-z0-9 _./@-]+/g;
const ALL_SAFE = /^[a-z0-9 _./@-]+$/;
const MIN_LENGTH = 3;
/** A value that is (part of) the spelling of a JSON literal may match one, unquoted in the line. */
const JSON_WORDS = ['true', 'false', 'null'];

const usable = (run: string): boolean => run.length >= MIN_LENGTH && /[a-df-z_/@]/.test(run);

/** The most selective literal of a Sigma string value, quoted where it must start or end a JSON string. */
function valueLiteral(raw: string, atStart: boolean, atEnd: boolean): string | undefined {
  const parts = parseSigmaString(raw);
  const texts = parts.filter((p): p is string => typeof p === 'string');
  let best = longestSafe(texts);
  const first = parts[0];
  const last = parts[parts.length - 1];
  const consider = (candidate: string, core: string): void => {
    if (
      ALL_SAFE.test(core) &&
      usable(core) &&
      !JSON_WORDS.some((w) => w.includes(core)) &&
      (best === undefined || candidate.length > best.length)
    )
      best = candidate;
  };
  if (typeof first === 'string') {
    const lower = first.toLowerCase();
    if (parts.length === 1 && atStart && atEnd) consider(`"${lower}"`, lower);
    else if (atStart) consider(`"${lower}`, lower);
  }
  if (typeof last === 'string' && parts.length > 1 && atEnd) consider(`${last.toLowerCase()}"`, last.toLowerCase());
  return best;
}

function longestSafe(pieces: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const piece of pieces) {
    for (const run of piece.toLowerCase().match(SAFE_RUN) ?? []) {
      if (usable(run) && (found === undefined || run.length > found.length)) found = run;
    }
  }
  return found;
}

function union(sets: Array<Set<string> | undefined>): Set<string> | undefined {
  const out = new Set<string>();
  for (const s of sets) {
    if (!s) return undefined;
    for (const v of s) out.add(v);
  }
  return out;
}

/** Of several sets each of which is required (AND), the most selective: fewest, then longest, literals. */
function best(sets: Array<Set<string> | undefined>): Set<string> | undefined {
  let pick: Set<string> | undefined;
  const score = (s: Set<string>): number => Math.min(...[...s].map((v) => v.length)) - 4 * s.size;
  for (const s of sets) if (s && (!pick || score(s) > score(pick))) pick = s;
  return pick;
}
