import type { CloudTrailRecord } from '../cloudtrail-record.types';
import type { CloudTrailReadError } from './read-errors';

/**
 * Where a record sat in its input. NDJSON records have a 1-based `line`; records inside a
 * `{"Records":[...]}` document (or a bare JSON array) have a `pointer` such as `Records[3]`.
 * A log file written on a single line of an NDJSON stream has both.
 */
export interface RecordPosition {
  line?: number;
  pointer?: string;
}

export type MalformedCode = 'invalid_json' | 'not_an_object' | 'not_cloudtrail' | 'too_deep' | 'line_too_long';

export interface MalformedRecord extends RecordPosition {
  source: string;
  code: MalformedCode;
  message: string;
}

/** Records read from one input; a batch never mixes inputs. `positions[i]` belongs to `records[i]`. */
export interface RecordBatch {
  source: string;
  records: CloudTrailRecord[];
  positions: RecordPosition[];
  malformed: MalformedRecord[];
}

export interface ReadOptions {
  /** Most records per batch (default 1000). */
  batchSize?: number;
  /** Called for each malformed record (they are also listed in `RecordBatch.malformed`). */
  onMalformed?: (malformed: MalformedRecord) => void;
  /** Called with the size of each raw chunk read (compressed bytes for .gz), for progress. */
  onBytes?: (bytes: number) => void;
  /**
   * Called when one input of several (a file in a folder, a path of many) cannot be read; reading
   * then goes on with the next input. Without it, the error is thrown from the iterator.
   */
  onReadError?: (error: CloudTrailReadError) => void;
  /** Content is NDJSON whatever the first line looks like (set from a .jsonl/.ndjson name). */
  ndjson?: boolean;
  /** Largest multi-line JSON document (log file) held in memory, in bytes (default 512 MiB). */
  maxDocumentBytes?: number;
  /**
   * Called with each NDJSON line (its bytes and decoded text; after the first line, which decides the
   * format) before it is parsed; true drops the line unparsed (e.g. a rule set's linePrefilter said
   * no rule can match it). The caller counts what it drops.
   */
  skipLine?: (line: Buffer, text: string) => boolean;
  /**
   * Longest NDJSON line, in bytes (default 512 MiB): a longer line is reported malformed
   * (`line_too_long`) and skipped without being buffered.
   */
  maxLineBytes?: number;
  /**
   * Most bytes inflated from gzip, summed over every layer of nesting (default: no limit). Once
   * spent, reading fails with a `CloudTrailReadError` coded `too_large`.
   */
  maxInflatedBytes?: number;
}

export function formatPosition(source: string, position: RecordPosition): string {
  const line = position.line === undefined ? source : `${source}:${position.line}`;
  return position.pointer === undefined ? line : `${line} ${position.pointer}`;
}
