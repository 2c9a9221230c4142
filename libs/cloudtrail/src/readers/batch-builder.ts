import type { CloudTrailRecord } from '../cloudtrail-record.types';
import { classifyRecord } from './record-classifier';
import type { MalformedCode, MalformedRecord, ReadOptions, RecordBatch, RecordPosition } from './record-batch.types';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects records and malformed entries of one input into batches. */
export class BatchBuilder {
  private records: CloudTrailRecord[] = [];
  private positions: RecordPosition[] = [];
  private malformed: MalformedRecord[] = [];
  readonly batchSize: number;

  constructor(
    readonly source: string,
    private readonly options: ReadOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
  }

  get full(): boolean {
    return this.records.length >= this.batchSize;
  }

  get recordCount(): number {
    return this.records.length;
  }

  get isEmpty(): boolean {
    return this.records.length === 0 && this.malformed.length === 0;
  }

  /** The next batch of at most `batchSize` records (a whole log file may have added many more). */
  take(): RecordBatch {
    const size = this.batchSize;
    let records = this.records;
    let positions = this.positions;
    if (records.length > size) {
      this.records = records.slice(size);
      this.positions = positions.slice(size);
      records = records.slice(0, size);
      positions = positions.slice(0, size);
    } else {
      this.records = [];
      this.positions = [];
    }
    const batch: RecordBatch = { source: this.source, records, positions, malformed: this.malformed };
    this.malformed = [];
    return batch;
  }

  reject(position: RecordPosition, code: MalformedCode, message: string): void {
    const entry: MalformedRecord = { source: this.source, ...position, code, message };
    this.malformed.push(entry);
    this.options.onMalformed?.(entry);
  }

  /**
   * Adds one parsed JSON value: a record, an EventBridge envelope, a `{"Records":[...]}` log-file
   * document, or a bare array of records.
   */
  addValue(value: unknown, line: number | undefined): void {
    if (isPlainObject(value) && Array.isArray(value['Records'])) {
      this.addEntries(value['Records'], line, 'Records');
      return;
    }
    if (Array.isArray(value)) {
      this.addEntries(value, line, '');
      return;
    }
    this.addEntry(value, line === undefined ? {} : { line });
  }

  private addEntries(entries: unknown[], line: number | undefined, container: string): void {
    for (let i = 0; i < entries.length; i++) {
      const pointer = `${container}[${i}]`;
      this.addEntry(entries[i], line === undefined ? { pointer } : { line, pointer });
    }
  }

  private addEntry(value: unknown, position: RecordPosition): void {
    const result = classifyRecord(value);
    if (result.ok) {
      this.records.push(result.record);
      this.positions.push(position);
    } else {
      this.reject(position, result.code, result.message);
    }
  }
}
