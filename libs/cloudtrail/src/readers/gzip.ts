import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const isGzipMagic = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/**
 * Passes chunks through, gunzipping them (streaming, multi-member aware) when the data starts
 * with the gzip magic bytes. Detection by content rather than by name: S3 objects and uploads
 * are not always named `.gz`.
 */
export async function* maybeGunzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
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
  if (!isGzipMagic(head)) {
    yield* rest(head);
    return;
  }
  const gunzip = createGunzip();
  // pipeline() forwards a source failure to gunzip, so the loop below sees every error.
  pipeline(Readable.from(rest(head)), gunzip, () => undefined);
  for await (const out of gunzip) yield out as Buffer;
}
