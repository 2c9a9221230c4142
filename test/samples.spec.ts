import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LOG_FILE, NDJSON_FILE, SAMPLES_DIR, sampleFiles } from '../scripts/samples/make-samples';

const ROOT = resolve(__dirname, '..');

describe('samples/ (the attack story as CloudTrail files)', () => {
  it('are what `npm run samples` writes (regenerate them after changing the story)', () => {
    for (const [name, bytes] of Object.entries(sampleFiles())) {
      expect(readFileSync(join(SAMPLES_DIR, name)).equals(bytes)).toBe(true);
    }
  });

  it('hold the same records as a gzipped log file and as NDJSON, with the fields CloudTrail writes', () => {
    const log = JSON.parse(gunzipSync(readFileSync(join(SAMPLES_DIR, LOG_FILE))).toString()) as { Records: Record<string, unknown>[] };
    const ndjson = readFileSync(join(SAMPLES_DIR, NDJSON_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.Records).toEqual(ndjson);
    expect(new Set(ndjson.map((r) => r.eventID)).size).toBe(ndjson.length);
    for (const r of ndjson) {
      for (const field of [
        'eventVersion',
        'userIdentity',
        'eventTime',
        'eventSource',
        'eventName',
        'awsRegion',
        'sourceIPAddress',
        'userAgent',
        'eventID',
        'eventType',
        'recipientAccountId',
      ]) {
        expect(r).toHaveProperty(field);
      }
    }
    const updates = ndjson
      .filter((r) => r.eventName === 'UpdateTrail')
      .map((r) => (r.requestParameters as { isMultiRegionTrail: boolean }).isMultiRegionTrail);
    expect(updates).toEqual([true, false]); // the admin's routine change, then the attacker's
    expect(ndjson.some((r) => r.awsRegion === 'us-west-2' && r.eventName === 'RunInstances')).toBe(true);
  });

  it('can be moved in time for uploads (records older than DEDUP_WINDOW_HOURS are refused), keeping the story', async () => {
    const { attackStoryRecords } = await import('../scripts/samples/attack-story.records');
    const fixed = attackStoryRecords();
    const end = new Date('2030-01-02T03:04:05Z');
    const moved = attackStoryRecords(end);
    expect(moved.map((r) => r.eventID)).toEqual(fixed.map((r) => r.eventID));
    expect(moved[moved.length - 1]!.eventTime).toBe('2030-01-02T03:04:05Z');
    const gap = (rs: Record<string, unknown>[]) => Date.parse(String(rs[rs.length - 1]!.eventTime)) - Date.parse(String(rs[0]!.eventTime));
    expect(gap(moved)).toBe(gap(fixed));
  });

  it('`trailguard scan` on the NDJSON (the README example) finds the single-region UpdateTrail', () => {
    const out = execFileSync('npx', ['--no-install', 'trailguard', 'scan', '--format', 'ndjson', `samples/${NDJSON_FILE}`], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const matches = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ruleTitle: string; level: string });
    expect(matches).toContainEqual(
      expect.objectContaining({ ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled', level: 'high' }),
    );
  }, 60_000);
});
