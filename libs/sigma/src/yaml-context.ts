import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { SigmaError, type SigmaErrorCode, type SigmaPosition } from './sigma.errors';

/** Position bookkeeping for one YAML document so every error can point at its node. */
export class YamlContext {
  constructor(
    readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly source: string | undefined,
    private readonly text: string,
  ) {}

  posAt(offset: number): SigmaPosition {
    const p = this.lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  }

  pos(node: unknown): SigmaPosition {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return this.posAt(range ? range[0] : 0);
  }

  /**
   * Position of character `index` inside a scalar's value. Exact for single-line plain and quoted
   * scalars (the usual case for conditions and keys); other scalars report their start.
   */
  posInScalar(node: Scalar, index: number): SigmaPosition {
    const range = node.range;
    if (!range) return this.pos(node);
    const quoted = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE';
    const plainish = node.type === 'PLAIN' || quoted;
    const raw = this.text.slice(range[0], range[1]);
    if (!plainish || raw.includes('\n')) return this.pos(node);
    return this.posAt(range[0] + (quoted ? 1 : 0) + index);
  }

  fail(code: SigmaErrorCode, message: string, node?: unknown): never {
    throw new SigmaError(code, message, node === undefined ? undefined : this.pos(node), this.source);
  }

  failAt(code: SigmaErrorCode, message: string, pos: SigmaPosition): never {
    throw new SigmaError(code, message, pos, this.source);
  }

  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** Map pairs with string keys; a non-string key is rejected. */
  pairs(map: YAMLMap): Array<{ key: string; keyNode: Scalar; value: unknown; pair: Pair }> {
    return map.items.map((pair) => {
      const keyNode = pair.key;
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        return this.fail('invalid_field', 'mapping keys must be strings', keyNode ?? map);
      }
      return { key: String(keyNode.value), keyNode, value: this.resolve(pair.value), pair };
    });
  }

  expectMap(node: unknown, what: string, owner?: unknown): YAMLMap {
    if (!isMap(node)) this.fail('invalid_field', `${what} must be a mapping`, node ?? owner);
    return node;
  }

  string(node: unknown, what: string, owner?: unknown): string {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) {
      return String(node.value);
    }
    return this.fail('invalid_field', `${what} must be a string`, node ?? owner);
  }

  optionalString(node: unknown, what: string): string | undefined {
    if (node === undefined || node === null) return undefined;
    if (isScalar(node) && node.value === null) return undefined;
    return this.string(node, what);
  }

  /** A string or a list of strings (Sigma accepts both for references, falsepositives, ...). */
  stringList(node: unknown, what: string): string[] {
    if (node === undefined || node === null) return [];
    if (isScalar(node)) return node.value === null ? [] : [this.string(node, what)];
    if (isSeq(node)) return node.items.map((item) => this.string(this.resolve(item), `each entry of ${what}`, node));
    return this.fail('invalid_field', `${what} must be a string or a list of strings`, node);
  }
}
