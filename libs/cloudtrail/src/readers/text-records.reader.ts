import { StringDecoder } from 'node:string_decoder';
import { BatchBuilder } from './batch-builder';
import type { ReadOptions, RecordBatch } from './record-batch.types';

const DEFAULT_MAX_DOCUMENT_CHARS = 512 * 1024 * 1024;

type Mode = 'detect' | 'ndjson' | 'document';

/**
 * Turns decompressed bytes into record batches. The format is detected from the first non-empty
 * line: if it parses as JSON on its own the input is NDJSON (a line may itself be a whole
 * `{"Records":[...]}` log file, as CloudTrail writes them on one line); otherwise the input is one
 * pretty-printed JSON document, held whole in memory (up to `maxDocumentChars`) and parsed once.
 * NDJSON is processed line by line in constant memory.
 */
export async function* parseRecordChunks(
  chunks: AsyncIterable<Buffer | string>,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<RecordBatch> {
  const builder = new BatchBuilder(source, options);
  const maxDocumentChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  const decoder = new StringDecoder('utf8');
  let mode: Mode = options.ndjson ? 'ndjson' : 'detect';
  let partial: string[] = [];
  let lineNo = 0;
  let doc: string[] = [];
  let docChars = 0;
  let first = true;

  const handleLine = (raw: string): void => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0)) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (mode === 'detect') {
        // Not a JSON value on its own: the start of a multi-line document.
        mode = 'document';
        doc = [line, '\n'];
        docChars = line.length + 1;
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
  const finishDocument = (text: string): void => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const probe = new BatchBuilder(source, { batchSize: Number.MAX_SAFE_INTEGER });
      let parsedLines = 0;
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        if (trimmed.length === 0) continue;
        try {
          probe.addValue(JSON.parse(trimmed), undefined);
          parsedLines++;
        } catch {
          // counted below
        }
      }
      if (parsedLines === 0) {
        builder.reject({ line: 1 }, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
        return;
      }
      mode = 'ndjson';
      lineNo = 0;
      for (const line of text.split('\n')) handleLine(line);
      return;
    }
    builder.addValue(value, undefined);
  };

  const feed = function* (text: string): Generator<RecordBatch> {
    if (mode === 'document') {
      doc.push(text);
      docChars += text.length;
      if (docChars > maxDocumentChars) {
        // Too big to be one log file: treat what we hold as NDJSON and go on streaming.
        const held = doc.join('');
        doc = [];
        mode = 'ndjson';
        lineNo = 0;
        yield* feed(held);
      }
      return;
    }
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl === -1) {
      partial.push(text);
      return;
    }
    while (nl !== -1) {
      let line = text.slice(start, nl);
      if (partial.length > 0) {
        partial.push(line);
        line = partial.join('');
        partial = [];
      }
      handleLine(line);
      start = nl + 1;
      while (builder.full) yield builder.take();
      if ((mode as Mode) === 'document') {
        yield* feed(text.slice(start));
        return;
      }
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) partial.push(text.slice(start));
  };

  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    yield* feed(text);
  }
  const tail = decoder.end();
  if (tail.length > 0) yield* feed(tail);
  if ((mode as Mode) === 'document') {
    finishDocument(doc.join(''));
    doc = [];
  } else if (partial.length > 0) {
    const last = partial.join('');
    partial = [];
    handleLine(last);
    if ((mode as Mode) === 'document') finishDocument(doc.join(''));
  }
  while (builder.full) yield builder.take();
  if (!builder.isEmpty) yield builder.take();
}
