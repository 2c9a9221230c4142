import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3AddressingOptions } from '../clients/s3-addressing';

/** How long a published template link works: SigV4's longest (shorter if the platform's credentials expire first). */
export const TEMPLATE_LINK_SECONDS = 7 * 24 * 3600;

/**
 * CloudFormation's quick-create link takes a template only from S3. This puts a template in the
 * platform's bucket (named by its content, so the same template is one object) and answers a
 * presigned GET link to it: the bucket stays private. The S3 client is the platform's own (the
 * SDK's default credential chain and endpoint settings).
 */
export class TemplatePublisher {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** With the platform's own S3 client: AWS_REGION (else us-east-1), the default credential chain. */
  static forPlatform(bucket: string): TemplatePublisher {
    const s3 = new S3Client({ region: process.env.AWS_REGION || 'us-east-1', followRegionRedirects: true, ...s3AddressingOptions() });
    return new TemplatePublisher(s3, bucket);
  }

  async publish(template: object): Promise<string> {
    const body = JSON.stringify(template, null, 2);
    const key = `trailguard/cloudformation/${createHash('sha256').update(body).digest('hex').slice(0, 40)}.json`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }));
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: TEMPLATE_LINK_SECONDS });
  }

  destroy(): void {
    this.s3.destroy();
  }
}
