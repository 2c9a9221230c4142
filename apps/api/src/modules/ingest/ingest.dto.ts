export interface IngestError {
  /** NDJSON: the 1-based line; a JSON document: a pointer such as "Records[3]"; EventBridge: the array index. */
  position: number | string;
  line?: number;
  pointer?: string;
  code: string;
  message: string;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  errors: IngestError[];
  /** True when there were more errors than listed. */
  errorsTruncated?: boolean;
  batches: number;
}

export const MAX_LISTED_ERRORS = 100;
