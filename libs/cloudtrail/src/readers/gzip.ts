import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CloudTrailReadError } from './read-errors';

export const isGzipMagic = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** Gzip layers unpacked at most (gzip inside gzip happens when a .gz file is sent gzip-encoded). */
const MAX_GZIP_LAYERS = 3;

/**
 * Every byte inflated, whatever the nesting, counts against one shared budget: a few hundred
 * bytes of gzip-in-gzip otherwise inflate to gigabytes.
 */
export interface InflateBudget {
  /** Inflated bytes still allowed, summed over every layer. */
  remaining: number;
  /** The limit, for the error message. */
  readonly limit: number;
}

export const inflateBudget = (limit: number): InflateBudget => ({ remaining: limit, limit });

async function* counted(chunks: AsyncIterable<Buffer>, budget: InflateBudget | undefined, source: string): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (budget) {
      budget.remaining -= chunk.length;
      if (budget.remaining < 0) {
        throw new CloudTrailReadError('too_large', source, `decompressed data is larger than ${budget.limit} bytes`);
      }
    }
    yield chunk;
  }
}

/**
 * Passes chunks through, gunzipping them (streaming, multi-member aware) when the data starts
 * with the gzip magic bytes; gzip found inside gzip is unpacked too, up to a few layers. Detection
 * by content rather than by name: S3 objects and uploads are not always named `.gz`. With a
 * budget, every inflated byte of every layer is counted and the stream fails once it is spent.
 */
export async function* maybeGunzip(
  chunks: AsyncIterable<Buffer>,
  budget?: InflateBudget,
  source = '<input>',
  layer = 0,
): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head: Buffer | undefined;
  let done = false;
  while (!done && (head === undefined || head.length < 2)) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = head === undefined ? next.value : Buffer.concat([head, next.value]);
  }
  if (head === undefined) return;
  const rest = async function* (first: Buffer): AsyncGenerator<Buffer> {
    yield first;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  if (!isGzipMagic(head) || layer >= MAX_GZIP_LAYERS) {
    yield* rest(head);
    return;
  }
  const gunzip = createGunzip();
  // pipeline() forwards a source failure to gunzip, so the loop below sees every error.
  pipeline(Readable.from(rest(head)), gunzip, () => undefined);
  try {
    yield* maybeGunzip(counted(gunzip as AsyncIterable<Buffer>, budget, source), budget, source, layer + 1);
  } finally {
    // Stop inflating as soon as the reader stops (budget spent, consumer gone).
    gunzip.destroy();
  }
}
