export type SigmaErrorCode =
  | 'yaml_syntax'
  | 'invalid_document'
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_modifier'
  | 'invalid_modifier_combination'
  | 'invalid_value'
  | 'invalid_regex'
  | 'invalid_condition'
  | 'undefined_identifier'
  | 'v1_aggregation'
  | 'unsupported_placeholder'
  | 'unknown_rule_reference'
  | 'unsupported_correlation_type'
  | 'duplicate_rule';

export interface SigmaPosition {
  line: number;
  column: number;
}

/** Every rejection of a rule carries a code and, where the problem is in the text, its position. */
export class SigmaError extends Error {
  readonly code: SigmaErrorCode;
  readonly line?: number;
  readonly column?: number;
  readonly source?: string;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(code: SigmaErrorCode, message: string, pos?: SigmaPosition, source?: string) {
    const at = pos ? `${pos.line}:${pos.column}` : '';
    const where = source ? `${source}${at ? `:${at}` : ''}: ` : at ? `line ${at}: ` : '';
    super(`${where}${message}`);
    this.name = 'SigmaError';
    this.code = code;
    this.reason = message;
    if (pos) {
      this.line = pos.line;
      this.column = pos.column;
    }
    if (source !== undefined) this.source = source;
  }
}
