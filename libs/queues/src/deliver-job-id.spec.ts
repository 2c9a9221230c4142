import { attemptOfJobId, deliverJobId } from './deliver-job-id';

describe('deliver job ids', () => {
  const id = '3f1c2b1e-8a55-4c47-9a43-5a0d1f3b9e21';

  it('round-trips the attempt number, with or without a redelivery suffix', () => {
    expect(deliverJobId(id, 3)).toBe(`deliver:${id}:3`);
    expect(attemptOfJobId(deliverJobId(id, 3))).toBe(3);
    expect(attemptOfJobId(`deliver:${id}:7-r1764417600000`)).toBe(7);
  });

  it('has exactly three colon-separated parts, as BullMQ requires of custom ids with a colon', () => {
    expect(deliverJobId(id, 12).split(':')).toHaveLength(3);
  });

  it.each([undefined, '', 'deliver:x', `deliver:${id}:0`, `deliver:${id}:abc`, `fanout:${id}:1`, '42'])(
    'gives no attempt for %p',
    (jobId) => {
      expect(attemptOfJobId(jobId)).toBeUndefined();
    },
  );
});

describe('redelivery job ids', () => {
  it('are new for each call and still carry the attempt number', () => {
    const id = '3f1c2b1e-8a55-4c47-9a43-5a0d1f3b9e21';
    const first = deliverJobId(id, 4, { fresh: true });
    expect(first).toMatch(new RegExp(`^deliver:${id}:4-r\\d+$`));
    expect(attemptOfJobId(first)).toBe(4);
    expect(deliverJobId(id, 4, { fresh: true })).not.toBe(first);
  });
});
