import { SigmaError, type SigmaPosition } from './sigma.errors';
import type { ConditionNode } from './sigma.types';
import { wildcardMatcher } from './wildcard';

type Token = { kind: 'lparen' | 'rparen' | 'pipe'; offset: number } | { kind: 'word'; text: string; offset: number };

export interface ConditionParseInput {
  text: string;
  identifiers: readonly string[];
  /** Maps a character offset of `text` to a position in the YAML file. */
  posOf: (offset: number) => SigmaPosition;
  source?: string;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all']);

function tokenize(input: ConditionParseInput): Token[] {
  const { text } = input;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'lparen', offset: i++ });
    } else if (c === ')') {
      tokens.push({ kind: 'rparen', offset: i++ });
    } else if (c === '|') {
      tokens.push({ kind: 'pipe', offset: i++ });
    } else {
      const start = i;
      while (i < text.length && !/[\s()|]/.test(text[i]!)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), offset: start });
    }
  }
  return tokens;
}

/** `*` in `1 of selection_*` matches any run of characters. */
export function identifierPatternMatcher(pattern: string): (name: string) => boolean {
  if (pattern === 'them') return (name) => !name.startsWith('_');
  // Linear-time glob: a RegExp built from `a*a*a*b` backtracks exponentially on the event loop.
  return wildcardMatcher(pattern);
}

/**
 * Recursive descent over the Sigma condition grammar. Precedence from loosest to tightest:
 * or, and, not, `x of`, parentheses.
 */
export function parseCondition(input: ConditionParseInput): ConditionNode {
  const tokens = tokenize(input);
  let at = 0;
  const known = new Set(input.identifiers);

  const fail = (
    message: string,
    offset: number,
    code: 'invalid_condition' | 'undefined_identifier' | 'v1_aggregation' = 'invalid_condition',
  ): never => {
    throw new SigmaError(code, message, input.posOf(offset), input.source);
  };
  const peek = (): Token | undefined => tokens[at];
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === 'word' && t.text.toLowerCase() === w;
  const endOffset = input.text.length;

  const pipe = tokens.find((t) => t.kind === 'pipe');
  if (pipe) {
    fail('aggregations with "|" (count(), near, ...) are Sigma v1 syntax; use a correlation rule', pipe.offset, 'v1_aggregation');
  }
  if (tokens.length === 0) fail('the condition is empty', 0);

  function parseOr(): ConditionNode {
    const operands = [parseAnd()];
    while (isWord(peek(), 'or')) {
      at++;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  function parseAnd(): ConditionNode {
    const operands = [parseNot()];
    while (isWord(peek(), 'and')) {
      at++;
      operands.push(parseNot());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  function parseNot(): ConditionNode {
    if (isWord(peek(), 'not')) {
      at++;
      return { kind: 'not', operand: parseNot() };
    }
    return parsePrimary();
  }

  function parsePrimary(): ConditionNode {
    const t = peek();
    if (!t) return fail('the condition ends where an identifier was expected', endOffset);
    if (t.kind === 'lparen') {
      at++;
      const inner = parseOr();
      const close = peek();
      if (close?.kind !== 'rparen') fail('missing ")"', close?.offset ?? endOffset);
      at++;
      return inner;
    }
    if (t.kind !== 'word') return fail(`unexpected "${t.kind === 'rparen' ? ')' : '|'}"`, t.offset);
    const word = t.text.toLowerCase();
    if (isWord(tokens[at + 1], 'of')) {
      if (word !== '1' && word !== 'all') {
        fail(`"${t.text} of" is not supported: use "1 of" or "all of"`, t.offset);
      }
      at += 2;
      const target = peek();
      if (target?.kind !== 'word') return fail('"of" must be followed by "them" or an identifier pattern', target?.offset ?? endOffset);
      at++;
      const pattern = target.text.toLowerCase() === 'them' ? 'them' : target.text;
      const matcher = identifierPatternMatcher(pattern);
      // pySigma: identifiers starting with `_` are only selected by a pattern that starts with `_`.
      const names = input.identifiers.filter((name) => matcher(name) && (!name.startsWith('_') || pattern.startsWith('_')));
      if (names.length === 0) {
        fail(`"${target.text}" matches no search identifier`, target.offset, 'undefined_identifier');
      }
      return { kind: 'quantified', quantifier: word === '1' ? 'one' : 'all', pattern, names, pos: input.posOf(t.offset) };
    }
    if (KEYWORDS.has(word) && !known.has(t.text)) fail(`unexpected "${t.text}"`, t.offset);
    if (word === 'near') fail('"near" is Sigma v1 syntax; use a temporal correlation rule', t.offset, 'v1_aggregation');
    if (!known.has(t.text)) fail(`undefined search identifier "${t.text}"`, t.offset, 'undefined_identifier');
    at++;
    return { kind: 'identifier', name: t.text, pos: input.posOf(t.offset) };
  }

  const node = parseOr();
  const rest = peek();
  if (rest?.kind === 'word' && rest.text.toLowerCase() === 'near') {
    fail('"near" is Sigma v1 syntax; use a temporal correlation rule', rest.offset, 'v1_aggregation');
  }
  if (rest) fail(`unexpected "${rest.kind === 'word' ? rest.text : rest.kind === 'rparen' ? ')' : '('}"`, rest.offset);
  return node;
}
