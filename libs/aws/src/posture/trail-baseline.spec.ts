import { baselineOf, diffTrailBaseline, type TrailConfig } from './trail-baseline';

const base: TrailConfig = {
  arn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
  name: 'main',
  homeRegion: 'us-east-1',
  isMultiRegion: true,
  isLogging: true,
  s3Bucket: 'logs',
  s3KeyPrefix: null,
  kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k1',
  logFileValidation: true,
  isOrganizationTrail: true,
  selectors: {
    includeManagementEvents: true,
    readWriteType: 'All',
    dataResources: ['AWS::S3::Object:arn:aws:s3:::secrets/'],
    advanced: null,
  },
};
const kinds = (current: TrailConfig[]) => diffTrailBaseline({ trails: [base] }, current).map((d) => [d.kind, d.before, d.after]);

describe('diffTrailBaseline', () => {
  it('finds nothing when the trail is as accepted', () => {
    expect(kinds([{ ...base }])).toEqual([]);
  });

  it.each<[string, Partial<TrailConfig>, unknown[][]]>([
    ['logging stopped', { isLogging: false }, [['logging_stopped', true, false]]],
    ['multi-region off', { isMultiRegion: false }, [['multi_region_disabled', true, false]]],
    [
      'prefix changed',
      { s3KeyPrefix: 'x' },
      [['bucket_changed', { s3Bucket: 'logs', s3KeyPrefix: null }, { s3Bucket: 'logs', s3KeyPrefix: 'x' }]],
    ],
    ['KMS key removed', { kmsKeyId: null }, [['kms_key_changed', base.kmsKeyId, null]]],
    ['validation off', { logFileValidation: false }, [['validation_disabled', true, false]]],
    ['no longer an organization trail', { isOrganizationTrail: false }, [['organization_trail_disabled', true, false]]],
    [
      'management events dropped',
      { selectors: { ...base.selectors, includeManagementEvents: false } },
      [['selectors_narrowed', base.selectors, { ...base.selectors, includeManagementEvents: false }]],
    ],
    [
      'all calls to read-only',
      { selectors: { ...base.selectors, readWriteType: 'ReadOnly' } },
      [['selectors_narrowed', base.selectors, { ...base.selectors, readWriteType: 'ReadOnly' }]],
    ],
    [
      'data resource removed',
      { selectors: { ...base.selectors, dataResources: [] } },
      [['selectors_narrowed', base.selectors, { ...base.selectors, dataResources: [] }]],
    ],
  ])('%s', (_name, change, expected) => {
    expect(kinds([{ ...base, ...change }])).toEqual(expected);
  });

  it('does not call a widening a narrowing, and reports a deleted trail', () => {
    expect(
      kinds([{ ...base, selectors: { ...base.selectors, dataResources: [...base.selectors.dataResources, 'AWS::Lambda::Function:all'] } }]),
    ).toEqual([]);
    expect(kinds([])).toEqual([['trail_deleted', { name: 'main', s3Bucket: 'logs', isMultiRegion: true }, null]]);
  });

  it('keys a drift by its new value, so a further change is a new drift', () => {
    const [a] = diffTrailBaseline({ trails: [base] }, [{ ...base, s3Bucket: 'b1' }]);
    const [b] = diffTrailBaseline({ trails: [base] }, [{ ...base, s3Bucket: 'b2' }]);
    expect(a!.key).not.toBe(b!.key);
  });

  it('records each trail once although DescribeTrails lists shadow copies', () => {
    const entry = {
      name: 'main',
      arn: base.arn,
      homeRegion: 'us-east-1',
      isMultiRegion: true,
      isLogging: true,
      includeManagementEvents: true,
      s3Bucket: 'logs',
    };
    const baseline = baselineOf(
      { accountId: '111122223333', checkedAt: '2026-12-06T00:00:00Z', trails: [entry, entry], hasLoggingMultiRegionTrail: true },
      'verification',
    );
    expect(baseline).toMatchObject({ takenBy: 'verification', takenAt: '2026-12-06T00:00:00Z', reported: [] });
    expect(baseline.trails).toHaveLength(1);
  });
});
