import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { CloudTrailRecord } from '../cloudtrail-record.types';
import { CloudTrailReadError } from './read-errors';
import { formatPosition, type MalformedRecord, type ReadOptions, type RecordBatch } from './record-batch.types';
import { listInputFiles, readBuffer, readFile, readPath, readPaths, readStream } from './record-readers';
import { sharedPath } from '@trailguard/testing';

const DATASETS = sharedPath('datasets');

interface Collected {
  batches: RecordBatch[];
  records: CloudTrailRecord[];
  positions: string[];
  malformed: MalformedRecord[];
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<Collected> {
  const out: Collected = { batches: [], records: [], positions: [], malformed: [] };
  for await (const batch of batches) {
    out.batches.push(batch);
    out.records.push(...batch.records);
    out.positions.push(...batch.positions.map((p) => formatPosition(batch.source, p)));
    out.malformed.push(...batch.malformed);
  }
  return out;
}

const rec = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventID: `id-${n}`,
  eventName: 'UpdateTrail',
  eventSource: 'cloudtrail.amazonaws.com',
  ...extra,
});
const ndjson = (...values: unknown[]): string => values.map((v) => JSON.stringify(v)).join('\n') + '\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cloudtrail-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('NDJSON', () => {
  it('reads line by line and reports malformed lines with their line numbers', async () => {
    const envelope = { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cloudtrail', detail: rec(6) };
    const text =
      `${JSON.stringify(rec(1))}\r\n` +
      `\n` +
      `{"eventID": "broken",\n` +
      `42\n` +
      `${JSON.stringify({ eventID: 'no-name', userIdentity: {} })}\n` +
      `${JSON.stringify(envelope)}\n` +
      `   \n` +
      JSON.stringify(rec(8)); // no trailing newline
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, text);
    const seen: MalformedRecord[] = [];
    const out = await collect(readFile(file, { onMalformed: (m) => seen.push(m) }));

    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-6', 'id-8']);
    expect(out.positions).toEqual([`${file}:1`, `${file}:6`, `${file}:8`]);
    expect(out.malformed.map((m) => [formatPosition(m.source, m), m.code])).toEqual([
      [`${file}:3`, 'invalid_json'],
      [`${file}:4`, 'not_an_object'],
      [`${file}:5`, 'not_cloudtrail'],
    ]);
    expect(seen).toEqual(out.malformed);
  });

  it('detects NDJSON by content whatever the name (OTRF ships it as .json)', async () => {
    const out = await collect(readFile(`${DATASETS}/otrf-security-datasets/original/ec2_proxy_s3_exfiltration_2020-09-14011940.json`));
    expect(out.records).toHaveLength(103);
    expect(out.malformed).toEqual([]);
    expect(out.positions[102]).toMatch(/:103$/);
  });

  it('reads the combined dataset: every record or a position for it', async () => {
    const out = await collect(readPath(`${DATASETS}/combined/records.ndjson`));
    const lines = readFileSync(`${DATASETS}/combined/records.ndjson`, 'utf8').split('\n').filter(Boolean);
    expect(out.records.length + out.malformed.length).toBe(lines.length);
    expect(out.records.length).toBeGreaterThan(1200);
    expect(new Set(out.records.map((r) => r.eventID)).size).toBe(out.records.length);
    for (const m of out.malformed) {
      expect(m.code).toBe('not_cloudtrail');
      const original = JSON.parse(lines[(m.line ?? 0) - 1] ?? 'null') as Record<string, unknown>;
      expect(original['eventName'] === undefined && original['eventSource'] === undefined).toBe(true);
    }
  });

  it('reports a record nested too deep to store again and keeps the rest', async () => {
    const deep = JSON.stringify({ ...rec(2), requestParameters: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) });
    const out = await collect(readBuffer(Buffer.from(`${ndjson(rec(1))}${deep}\n${ndjson(rec(3))}`), { name: 'deep.ndjson' }));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-3']);
    expect(out.malformed.map((m) => [m.line, m.code])).toEqual([[2, 'too_deep']]);
  });

  it('keeps the other lines when the first line is broken', async () => {
    const file = join(dir, 'first-bad.json');
    writeFileSync(file, `{"eventName": \n${ndjson(rec(2), rec(3))}`);
    const out = await collect(readFile(file));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-2', 'id-3']);
    expect(out.malformed.map((m) => [m.line, m.code])).toEqual([[1, 'invalid_json']]);
  });

  it('goes back to streaming lines when a would-be document outgrows maxDocumentBytes', async () => {
    const many = Array.from({ length: 300 }, (_, i) => rec(i));
    let produced = 0;
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"eventName": \r\n');
      for (const r of many) {
        produced++;
        yield Buffer.from(`${JSON.stringify(r)}\r\n`);
      }
    }
    let producedAtFirstBatch = -1;
    const batches = readStream(slow(), 'big', { maxDocumentBytes: 4096, batchSize: 50 });
    async function* watch(): AsyncGenerator<RecordBatch> {
      for await (const batch of batches) {
        if (producedAtFirstBatch < 0) producedAtFirstBatch = produced;
        yield batch;
      }
    }
    const out = await collect(watch());
    // Streaming resumed long before the input ended: memory stays bounded.
    expect(producedAtFirstBatch).toBeLessThan(150);
    expect(out.records).toHaveLength(300);
    expect(out.positions[0]).toBe('big:2');
    expect(out.positions[299]).toBe('big:301');
    expect(out.malformed.map((m) => [m.line, m.code])).toEqual([[1, 'invalid_json']]);
  });

  it('expands a one-line {"Records":[...]} log file inside NDJSON', async () => {
    const text = ndjson(rec(1), { Records: [rec(2), 'oops', rec(4)] }, rec(5));
    const out = await collect(readBuffer(text, { name: 'upload' }));
    expect(out.positions).toEqual(['upload:1', 'upload:2 Records[0]', 'upload:2 Records[2]', 'upload:3']);
    expect(out.malformed.map((m) => formatPosition(m.source, m))).toEqual(['upload:2 Records[1]']);
  });

  it('yields bounded batches that do not change the result', async () => {
    const text = ndjson(...Array.from({ length: 2500 }, (_, i) => rec(i)));
    const out = await collect(readBuffer(text, { batchSize: 1000 }));
    expect(out.batches.map((b) => b.records.length)).toEqual([1000, 1000, 500]);
    expect(out.records[2499]?.eventID).toBe('id-2499');
    expect(out.batches.every((b) => b.positions.length === b.records.length)).toBe(true);
  });

  it('gives the same records however the bytes are chunked (UTF-8 split across chunks)', async () => {
    const text = '\ufeff' + ndjson(rec(1, { userAgent: 'Grüße 😀 ✓' }), { Records: [rec(2, { x: 'é' })] }, rec(3)) + '{bad\n';
    const bytes = Buffer.from(text, 'utf8');
    const expected = await collect(readBuffer(bytes));
    expect(expected.records).toHaveLength(3);
    expect(expected.records[0]?.userAgent).toBe('Grüße 😀 ✓');
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        async function* pieces(): AsyncGenerator<Buffer> {
          for (let i = 0; i + 1 < points.length; i++) yield bytes.subarray(points[i], points[i + 1]);
        }
        const out = await collect(readStream(pieces(), '<input>'));
        expect(out.records).toEqual(expected.records);
        expect(out.positions).toEqual(expected.positions);
        expect(out.malformed).toEqual(expected.malformed);
      }),
      { numRuns: 60 },
    );
  });
});

describe('log files and JSON documents', () => {
  it('reads a pretty-printed {"Records":[...]} file and reports bad entries as Records[i]', async () => {
    const file = join(dir, 'trail.json');
    writeFileSync(file, JSON.stringify({ Records: [rec(0), null, { foo: 1 }, [rec(3)], rec(4)] }, null, 2));
    const out = await collect(readFile(file));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-0', 'id-4']);
    expect(out.positions).toEqual([`${file} Records[0]`, `${file} Records[4]`]);
    expect(out.malformed.map((m) => [formatPosition(m.source, m), m.code])).toEqual([
      [`${file} Records[1]`, 'not_an_object'],
      [`${file} Records[2]`, 'not_cloudtrail'],
      [`${file} Records[3]`, 'not_an_object'],
    ]);
  });

  it('splits a large log file into bounded batches', async () => {
    const body = JSON.stringify({ Records: Array.from({ length: 2300 }, (_, i) => rec(i)) }, null, 1);
    const out = await collect(readBuffer(body, { batchSize: 1000 }));
    expect(out.batches.map((b) => b.records.length)).toEqual([1000, 1000, 300]);
    expect(out.positions[2299]).toBe('<input> Records[2299]');
  });

  it('reads the published log files and bare arrays of the datasets', async () => {
    const traildiscover = await collect(readFile(`${DATASETS}/traildiscover/records.cloudtrail.json`));
    expect(traildiscover.records.length + traildiscover.malformed.length).toBe(315);
    expect(traildiscover.records.length).toBeGreaterThan(300);
    const stratus = await collect(
      readFile(`${DATASETS}/stratus-red-team/original/docs/detonation-logs/aws.defense-evasion.cloudtrail-stop.json`),
    );
    expect(stratus.records.some((r) => r.eventName === 'StopLogging')).toBe(true);
    expect(stratus.positions[0]).toMatch(/ \[0\]$/);
  });

  it('reads a single pretty-printed record', async () => {
    const out = await collect(readBuffer(JSON.stringify(rec(9), null, 2)));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-9']);
  });

  it('reports a broken document once, not once per line', async () => {
    const out = await collect(readBuffer('{\n  "Records": [\n    {"eventName": "X"},\n', { name: 'cut.json' }));
    expect(out.records).toEqual([]);
    expect(out.malformed).toHaveLength(1);
    expect(out.malformed[0]).toMatchObject({ source: 'cut.json', line: 1, code: 'invalid_json' });
  });
});

describe('EventBridge', () => {
  it('unwraps envelopes from the StreamAlert fixtures', async () => {
    const upstream = JSON.parse(
      readFileSync(`${DATASETS}/streamalert-tests/original/rules/community/cloudwatch_events/cloudtrail_root_account_usage.json`, 'utf8'),
    ) as Array<{ data: { detail: Record<string, unknown> } }>;
    const envelopes = upstream.map((t) => t.data);
    const out = await collect(readBuffer(ndjson(...envelopes), { name: 'eventbridge.ndjson' }));
    expect(out.records).toEqual(envelopes.map((e) => e.detail));
    expect(out.records[0]?.eventName).toBe('ConsoleLogin');
  });
});

describe('gzip', () => {
  const ndjsonText = ndjson(rec(1), rec(2), rec(3));

  it('gunzips NDJSON and log files, detected by content', async () => {
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(ndjsonText));
    writeFileSync(join(dir, 'b.json.gz'), gzipSync(JSON.stringify({ Records: [rec(4), rec(5)] })));
    writeFileSync(join(dir, 'c.bin'), gzipSync(ndjsonText)); // no .gz name
    expect((await collect(readFile(join(dir, 'a.ndjson.gz')))).records).toHaveLength(3);
    expect((await collect(readFile(join(dir, 'b.json.gz')))).positions).toEqual([
      `${join(dir, 'b.json.gz')}:1 Records[0]`,
      `${join(dir, 'b.json.gz')}:1 Records[1]`,
    ]);
    expect((await collect(readFile(join(dir, 'c.bin')))).records).toHaveLength(3);
    const body = gzipSync(JSON.stringify({ Records: [rec(6)] }, null, 2));
    expect((await collect(readBuffer(body))).records.map((r) => r.eventID)).toEqual(['id-6']);
  });

  it('reads concatenated gzip members', async () => {
    const file = join(dir, 'multi.gz');
    writeFileSync(file, Buffer.concat([gzipSync(ndjson(rec(1))), gzipSync(ndjson(rec(2)))]));
    expect((await collect(readFile(file))).records.map((r) => r.eventID)).toEqual(['id-1', 'id-2']);
  });

  it('fails with corrupt_gzip and the path on corrupt or truncated data', async () => {
    const good = gzipSync(ndjson(...Array.from({ length: 200 }, (_, i) => rec(i))));
    const corrupt = Buffer.from(good);
    corrupt.fill(0x55, 20, 60);
    writeFileSync(join(dir, 'corrupt.gz'), corrupt);
    writeFileSync(join(dir, 'truncated.gz'), good.subarray(0, good.length - 30));
    for (const name of ['corrupt.gz', 'truncated.gz']) {
      const path = join(dir, name);
      const error = await collect(readFile(path)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CloudTrailReadError);
      expect(error).toMatchObject({ code: 'corrupt_gzip', path });
      expect(String((error as Error).message)).toContain(path);
    }
  });
});

describe('folders and paths', () => {
  it('reads folders recursively in sorted order, only known extensions, never mixing files in a batch', async () => {
    mkdirSync(join(dir, 'b', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'b', 'deep', 'z.json'), JSON.stringify({ Records: [rec(3)] }));
    writeFileSync(join(dir, 'b', '1.jsonl'), ndjson(rec(2)));
    writeFileSync(join(dir, 'a', 'x.ndjson'), ndjson(rec(1)));
    writeFileSync(join(dir, 'c.gz'), gzipSync(ndjson(rec(4))));
    writeFileSync(join(dir, 'notes.txt'), 'not a log');
    writeFileSync(join(dir, 'README'), ndjson(rec(99)));

    expect(await listInputFiles(dir)).toEqual([
      join(dir, 'a', 'x.ndjson'),
      join(dir, 'b', '1.jsonl'),
      join(dir, 'b', 'deep', 'z.json'),
      join(dir, 'c.gz'),
    ]);
    const out = await collect(readPath(dir, { batchSize: 10 }));
    expect(out.records.map((r) => r.eventID)).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
    expect(out.batches.map((b) => b.source)).toEqual(await listInputFiles(dir));
  });

  it('throws a read error naming a missing path, or reports it and goes on', async () => {
    const missing = join(dir, 'missing.ndjson');
    writeFileSync(join(dir, 'ok.ndjson'), ndjson(rec(1)));
    await expect(collect(readPaths([missing]))).rejects.toMatchObject({ code: 'input_not_found', path: missing });

    const errors: CloudTrailReadError[] = [];
    const options: ReadOptions = { onReadError: (e) => errors.push(e) };
    const out = await collect(readPaths([missing, join(dir, 'ok.ndjson')], options));
    expect(out.records).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.path])).toEqual([['input_not_found', missing]]);
  });

  it('reports a folder passed to readFile as unreadable', async () => {
    await expect(collect(readFile(dir))).rejects.toMatchObject({ code: 'unreadable_input', path: dir });
  });

  it('counts raw bytes for progress', async () => {
    const file = join(dir, 'p.ndjson.gz');
    const data = gzipSync(ndjson(...Array.from({ length: 50 }, (_, i) => rec(i))));
    writeFileSync(file, data);
    let bytes = 0;
    await collect(readFile(file, { onBytes: (n) => (bytes += n) }));
    expect(bytes).toBe(data.length);
  });
});
