import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore, S3Settings } from './storage.ts';

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, R2…) through @aws-sdk/client-s3. Credentials
 * come from the settings when given, else from the SDK's usual chain (AWS_ACCESS_KEY_ID, …).
 */
export class S3Store implements DocumentStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly settings: S3Settings;

  constructor(settings: S3Settings) {
    this.settings = settings;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
      maxAttempts: 3,
    });
  }

  private objectKey(key: string): string {
    return `${this.settings.prefix.replace(/\/+$/, '')}${this.settings.prefix ? '/' : ''}${key}`;
  }

  locate(key: string): string {
    return `s3://${this.settings.bucket}/${this.objectKey(key)}`;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({
      Bucket: this.settings.bucket, Key: this.objectKey(key), Body: bytes, ContentType: 'application/pdf', ContentLength: bytes.length,
    }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : null;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }
}
