/**
 * `npm run samples`: writes samples/ from scripts/samples/attack-story.records.ts, as CloudTrail
 * delivers it (a gzipped log file {"Records":[...]}) and as NDJSON (one record a line).
 * Deterministic: a test regenerates them in memory and compares with the committed files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { attackStoryRecords } from './attack-story.records';

export const SAMPLES_DIR = resolve(__dirname, '../../samples');
export const LOG_FILE = '111122223333_CloudTrail_us-east-1_20261201T0935Z_attack-story.json.gz';
export const NDJSON_FILE = 'attack-story.ndjson';

/** The sample files' bytes; `endingAt` moves the story in time (see attackStoryRecords). */
export function sampleFiles(endingAt?: Date): Record<string, Buffer> {
  const records = attackStoryRecords(endingAt);
  // mtime 0 and no file name in the gzip header: the same bytes on every run.
  const logFile = gzipSync(Buffer.from(JSON.stringify({ Records: records })), { level: 9 });
  logFile.writeUInt32LE(0, 4);
  return {
    [LOG_FILE]: logFile,
    [NDJSON_FILE]: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'),
  };
}

// `npm run samples`: the committed files; `npm run samples -- --recent DIR`: the story ending five
// minutes ago, into DIR (uploads of the committed files are refused once older than DEDUP_WINDOW_HOURS).
if (require.main === module) {
  const recent = process.argv[2] === '--recent';
  const dir = recent ? resolve(process.argv[3] ?? '.data/samples') : SAMPLES_DIR;
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(sampleFiles(recent ? new Date(Date.now() - 5 * 60_000) : undefined))) {
    writeFileSync(join(dir, name), bytes);
    process.stdout.write(`wrote ${join(dir, name)} (${bytes.length} bytes)\n`);
  }
}
