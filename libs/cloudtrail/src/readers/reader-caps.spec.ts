import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../cloudtrail-record.types';
import type { MalformedRecord, RecordBatch } from './record-batch.types';
import { readBuffer, readStream } from './record-readers';

async function collect(batches: AsyncIterable<RecordBatch>): Promise<{ records: CloudTrailRecord[]; malformed: MalformedRecord[] }> {
  const out = { records: [] as CloudTrailRecord[], malformed: [] as MalformedRecord[] };
  for await (const batch of batches) {
    out.records.push(...batch.records);
    out.malformed.push(...batch.malformed);
  }
  return out;
}

const rec = (n: number): string =>
  JSON.stringify({ eventID: `id-${n}`, eventName: 'UpdateTrail', eventSource: 'cloudtrail.amazonaws.com' });

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('every inflated byte under one cap', () => {
  it('reads gzip inside gzip (records intact) when it fits the budget', async () => {
    const inner = gzipSync(`${rec(1)}\n${rec(2)}\n`);
    const out = await collect(readBuffer(gzipSync(inner), { maxInflatedBytes: 10_000 }));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-2']);
  });

  it('refuses a nested gzip bomb once the layers together inflate past the cap', async () => {
    // About 1 KB on the wire; 64 MiB of spaces two layers down.
    const bomb = gzipSync(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }), { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage().rss;
    await expect(collect(readBuffer(bomb, { maxInflatedBytes: 1024 * 1024 }))).rejects.toMatchObject({
      name: 'CloudTrailReadError',
      code: 'too_large',
    });
    // Reading stopped near the cap instead of inflating the whole 64 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('counts the outer layer too', async () => {
    const big = gzipSync(Buffer.from(`${rec(1)}\n`.repeat(2000)));
    await expect(collect(readBuffer(big, { maxInflatedBytes: 1000 }))).rejects.toMatchObject({ code: 'too_large' });
    const ok = await collect(readBuffer(big, { maxInflatedBytes: 1_000_000 }));
    expect(ok.records).toHaveLength(2000);
  });

  it('leaves plain (not gzip) input uncounted by the inflate budget', async () => {
    const out = await collect(readBuffer(`${rec(1)}\n`, { maxInflatedBytes: 1 }));
    expect(out.records).toHaveLength(1);
  });
});

describe('bounded line buffer', () => {
  it('rejects an over-long NDJSON line, streamed in small chunks, and keeps the lines around it', async () => {
    const long = `{"eventID":"${'x'.repeat(50_000)}"}`;
    const data = Buffer.from(`${rec(1)}\n${long}\n${rec(3)}\n`);
    const out = await collect(readStream(chunked(data, 1000), 'upload.ndjson', { maxLineBytes: 10_000 }));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-3']);
    expect(out.malformed).toEqual([expect.objectContaining({ line: 2, code: 'line_too_long' })]);
  });

  it('rejects an over-long line that arrives in one chunk', async () => {
    const long = `{"eventID":"${'x'.repeat(50_000)}"}`;
    const out = await collect(readBuffer(`${rec(1)}\n${long}\n${rec(3)}\n`, { maxLineBytes: 10_000, ndjson: true }));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-3']);
    expect(out.malformed.map((m) => [m.line, m.code])).toEqual([[2, 'line_too_long']]);
  });

  it('never holds more than the cap of a newline-free stream', async () => {
    async function* endless(): AsyncGenerator<Buffer> {
      const piece = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 2000; i++) yield piece; // 128 MiB without a newline
    }
    const before = process.memoryUsage().rss;
    const out = await collect(readStream(endless(), 'x.ndjson', { maxLineBytes: 1024 * 1024 }));
    expect(out.records).toHaveLength(0);
    expect(out.malformed.map((m) => m.code)).toEqual(['line_too_long']);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('takes a line exactly at the cap', async () => {
    const line = rec(7);
    const out = await collect(readStream(chunked(Buffer.from(`${line}\n${line}\n`), 5), 'x.ndjson', { maxLineBytes: line.length }));
    expect(out.records).toHaveLength(2);
    expect(out.malformed).toHaveLength(0);
  });
});
