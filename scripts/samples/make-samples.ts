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

export function sampleFiles(): Record<string, Buffer> {
  const records = attackStoryRecords();
  // mtime 0 and no file name in the gzip header: the same bytes on every run.
  const logFile = gzipSync(Buffer.from(JSON.stringify({ Records: records })), { level: 9 });
  logFile.writeUInt32LE(0, 4);
  return {
    [LOG_FILE]: logFile,
    [NDJSON_FILE]: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'),
  };
}

if (require.main === module) {
  mkdirSync(SAMPLES_DIR, { recursive: true });
  for (const [name, bytes] of Object.entries(sampleFiles())) {
    writeFileSync(join(SAMPLES_DIR, name), bytes);
    process.stdout.write(`wrote samples/${name} (${bytes.length} bytes)\n`);
  }
}
