import { isAscii } from 'node:buffer';
import { BatchBuilder } from './batch-builder';
import type { ReadOptions, RecordBatch } from './record-batch.types';

const DEFAULT_MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;
const DEFAULT_MAX_LINE_BYTES = 512 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

type Mode = 'detect' | 'ndjson' | 'document';

/**
 * Lines are split on bytes and decoded one by one: an all-ASCII line becomes a one-byte string
 * even when a neighbour holds a non-ASCII character, which keeps JSON.parse and every later
 * string comparison on the fast path (decoding whole chunks made most of them two-byte).
 */
const decodeLine = (bytes: Buffer): string => (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));

const isBlank = (bytes: Buffer): boolean => {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== CR && b !== LF) return false;
  }
  return true;
};

/**
 * Turns decompressed bytes into record batches. The format is detected from the first non-empty
 * line: if it parses as JSON on its own the input is NDJSON (a line may itself be a whole
 * `{"Records":[...]}` log file, as CloudTrail writes them on one line); otherwise the input is one
 * pretty-printed JSON document, held whole in memory (up to `maxDocumentBytes`) and parsed once.
 * NDJSON is processed line by line in constant memory.
 */
export async function* parseRecordChunks(
  chunks: AsyncIterable<Buffer | string>,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<RecordBatch> {
  const builder = new BatchBuilder(source, options);
  const maxDocumentBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let mode: Mode = options.ndjson ? 'ndjson' : 'detect';
  let partial: Buffer[] = [];
  let partialBytes = 0;
  /** The rest of an over-long line is being dropped up to its newline. */
  let skipping = false;

  const rejectLongLine = (): void => {
    lineNo++;
    builder.reject({ line: lineNo }, 'line_too_long', `the line is longer than ${maxLineBytes} bytes`);
  };
  /** Holds an incomplete line; one that outgrows the cap is rejected and skipped instead. */
  const hold = (bytes: Buffer): void => {
    partialBytes += bytes.length;
    if (partialBytes > maxLineBytes) {
      partial = [];
      partialBytes = 0;
      skipping = true;
      rejectLongLine();
      return;
    }
    partial.push(bytes);
  };
  let lineNo = 0;
  let doc: Buffer[] = [];
  let docBytes = 0;

  const handleLine = (raw: Buffer): void => {
    if (raw.length > maxLineBytes) return rejectLongLine();
    lineNo++;
    let bytes = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.length === 0 || (bytes[0]! <= 0x20 && isBlank(bytes))) return;
    const text = decodeLine(bytes);
    if (mode === 'ndjson' && options.skipLine?.(bytes, text) === true) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (mode === 'detect') {
        // Not a JSON value on its own: the start of a multi-line document.
        mode = 'document';
        doc = [bytes, Buffer.from('\n')];
        docBytes = bytes.length + 1;
        return;
      }
      builder.reject({ line: lineNo }, 'invalid_json', (error as Error).message);
      return;
    }
    if (mode === 'detect') mode = 'ndjson';
    builder.addValue(value, lineNo);
  };

  // A document that does not parse as a whole is reread as lines, so one bad record in an
  // otherwise good NDJSON stream (with a bad first line) still loses only that record.
  const finishDocument = (bytes: Buffer): void => {
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const anyLineParses = text.split('\n').some((line) => {
        try {
          JSON.parse(line);
          return line.trim().length > 0;
        } catch {
          return false;
        }
      });
      if (!anyLineParses) {
        builder.reject({ line: 1 }, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
        return;
      }
      mode = 'ndjson';
      lineNo = 0;
      splitLines(bytes, true);
      return;
    }
    builder.addValue(value, undefined);
  };

  /** Feeds complete lines of `chunk` to handleLine; returns the offset where unconsumed bytes start. */
  const splitLines = (chunk: Buffer, final: boolean): number => {
    let start = 0;
    let nl = chunk.indexOf(LF, start);
    while (nl !== -1) {
      handleLine(chunk.subarray(start, nl));
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (final && start < chunk.length) {
      handleLine(chunk.subarray(start));
      start = chunk.length;
    }
    return start;
  };

  const feed = function* (chunk: Buffer): Generator<RecordBatch> {
    if (mode === 'document') {
      doc.push(chunk);
      docBytes += chunk.length;
      if (docBytes > maxDocumentBytes) {
        // Too big to be one log file: treat what we hold as NDJSON and go on streaming.
        const held = Buffer.concat(doc);
        doc = [];
        mode = 'ndjson';
        lineNo = 0;
        yield* feed(held);
      }
      return;
    }
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (skipping) {
      if (nl === -1) return;
      skipping = false;
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (nl === -1) {
      if (start < chunk.length) hold(chunk.subarray(start));
      return;
    }
    while (nl !== -1) {
      let line = chunk.subarray(start, nl);
      if (partial.length > 0) {
        if (partialBytes + line.length > maxLineBytes) {
          partial = [];
          partialBytes = 0;
          rejectLongLine();
          line = Buffer.alloc(0);
        } else {
          partial.push(line);
          line = Buffer.concat(partial);
          partial = [];
          partialBytes = 0;
        }
        if (line.length === 0) {
          start = nl + 1;
          nl = chunk.indexOf(LF, start);
          continue;
        }
      }
      handleLine(line);
      start = nl + 1;
      while (builder.full) yield builder.take();
      if ((mode as Mode) === 'document') {
        if (start < chunk.length) yield* feed(chunk.subarray(start));
        return;
      }
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) hold(chunk.subarray(start));
  };

  for await (const piece of chunks) {
    yield* feed(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  }
  if ((mode as Mode) === 'document') {
    finishDocument(Buffer.concat(doc));
    doc = [];
  } else if (partial.length > 0) {
    const last = Buffer.concat(partial);
    partial = [];
    partialBytes = 0;
    handleLine(last);
    if ((mode as Mode) === 'document') finishDocument(Buffer.concat(doc));
  }
  while (builder.full) yield builder.take();
  if (!builder.isEmpty) yield builder.take();
}
