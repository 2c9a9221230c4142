import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { inflateBudget, maybeGunzip } from './gzip';
import { CloudTrailReadError, toReadError } from './read-errors';
import type { ReadOptions, RecordBatch } from './record-batch.types';
import { parseRecordChunks } from './text-records.reader';

const INPUT_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson', '.gz']);
const NDJSON_NAME = /\.(jsonl|ndjson)(\.gz)?$/i;
const READ_CHUNK_BYTES = 1024 * 1024;

async function* countBytes(chunks: AsyncIterable<Buffer>, onBytes: ((bytes: number) => void) | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    onBytes?.(chunk.length);
    yield chunk;
  }
}

async function* rethrowAs(batches: AsyncIterable<RecordBatch>, path: string): AsyncGenerator<RecordBatch> {
  try {
    yield* batches;
  } catch (error) {
    throw toReadError(error, path);
  }
}

/** Records from a byte stream (an S3 object body, stdin): log-file JSON or NDJSON, gzipped or not. */
export function readStream(
  stream: Readable | AsyncIterable<Buffer>,
  source: string,
  options: ReadOptions = {},
): AsyncGenerator<RecordBatch> {
  const opts = options.ndjson === undefined && NDJSON_NAME.test(source) ? { ...options, ndjson: true } : options;
  const budget = options.maxInflatedBytes === undefined ? undefined : inflateBudget(options.maxInflatedBytes);
  const chunks = maybeGunzip(countBytes(stream as AsyncIterable<Buffer>, options.onBytes), budget, source);
  return rethrowAs(parseRecordChunks(chunks, source, opts), source);
}

/** Records from an in-memory body (an API upload): log-file JSON or NDJSON, gzipped or not. */
export function readBuffer(data: Buffer | Uint8Array | string, options: ReadOptions & { name?: string } = {}): AsyncGenerator<RecordBatch> {
  const { name = '<input>', ...rest } = options;
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  async function* single(): AsyncGenerator<Buffer> {
    yield buffer;
  }
  return readStream(single(), name, rest);
}

/** Records from one file, whatever its name. */
export async function* readFile(path: string, options: ReadOptions = {}): AsyncGenerator<RecordBatch> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    yield* readStream(stream, path, options);
  } finally {
    stream.destroy();
  }
}

/** Input files under a folder: recursive, sorted by path, only .json/.jsonl/.ndjson/.gz. */
export async function listInputFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      throw toReadError(error, current);
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      // Symlinked folders are not followed: they can loop.
      if (entry.isDirectory()) await walk(full);
      else if ((entry.isFile() || entry.isSymbolicLink()) && INPUT_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        found.push(full);
      }
    }
  };
  await walk(dir);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function* guarded(batches: AsyncIterable<RecordBatch>, options: ReadOptions): AsyncGenerator<RecordBatch> {
  try {
    yield* batches;
  } catch (error) {
    if (!(error instanceof CloudTrailReadError) || options.onReadError === undefined) throw error;
    options.onReadError(error);
  }
}

/**
 * Records from files and folders, in the order given (folders expanded recursively, sorted).
 * Each file is read separately: log files are never concatenated.
 */
export async function* readPaths(paths: readonly string[], options: ReadOptions = {}): AsyncGenerator<RecordBatch> {
  for (const path of paths) {
    let files: string[];
    try {
      const info = await stat(path).catch((error: unknown) => {
        throw toReadError(error, path);
      });
      if (info.isDirectory()) files = await listInputFiles(path);
      else if (info.isFile()) files = [path];
      else throw new CloudTrailReadError('unsupported_input', path, 'not a regular file or folder');
    } catch (error) {
      if (!(error instanceof CloudTrailReadError) || options.onReadError === undefined) throw error;
      options.onReadError(error);
      continue;
    }
    for (const file of files) yield* guarded(readFile(file, options), options);
  }
}

/** Records from one file or folder. */
export function readPath(path: string, options: ReadOptions = {}): AsyncGenerator<RecordBatch> {
  return readPaths([path], options);
}
