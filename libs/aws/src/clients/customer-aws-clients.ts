import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import type { FinalizeHandler, FinalizeHandlerArguments, FinalizeRequestHandlerOptions } from '@aws-sdk/types';
import type { AssumedCredentialsCache, AssumeRoleTarget } from '../credentials/assumed-credentials-cache';
import { s3AddressingOptions } from './s3-addressing';

/** Anything that can hold a LookupEvents call until a slot of the account-region is free. */
export interface LookupEventsGate {
  acquire(key: string): Promise<void>;
}

export interface CustomerAwsClientsOptions {
  /** Passed to every client; unset keeps the SDK's standard setting (AWS_MAX_ATTEMPTS or 3). */
  maxAttempts?: number;
  /** When set, every LookupEvents HTTP attempt (SDK retries included) waits for a slot first. */
  lookupEventsGate?: LookupEventsGate;
}

export function accountIdOfRole(roleArn: string): string {
  const accountId = roleArn.split(':')[4];
  if (!accountId || !/^\d{12}$/.test(accountId)) throw new Error(`not an IAM role ARN: ${roleArn}`);
  return accountId;
}

export function lookupEventsKey(accountId: string, region: string): string {
  return `${accountId}:${region}`;
}

/**
 * CloudTrail and S3 clients of a customer account-region, signed with the assumed-role
 * credentials. Endpoints come from the SDK's standard configuration only.
 */
export class CustomerAwsClients {
  private readonly cloudTrailClients = new Map<string, CloudTrailClient>();
  private readonly s3Clients = new Map<string, S3Client>();

  constructor(
    readonly credentials: AssumedCredentialsCache,
    private readonly options: CustomerAwsClientsOptions = {},
  ) {}

  private static key(target: AssumeRoleTarget, region: string): string {
    return `${target.roleArn}\u0000${target.externalId}\u0000${region}`;
  }

  cloudTrail(target: AssumeRoleTarget, region: string): CloudTrailClient {
    const key = CustomerAwsClients.key(target, region);
    let client = this.cloudTrailClients.get(key);
    if (!client) {
      client = new CloudTrailClient({
        region,
        credentials: this.credentials.provider(target),
        ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      });
      const gate = this.options.lookupEventsGate;
      if (gate) {
        addLookupEventsGate(client, gate, lookupEventsKey(accountIdOfRole(target.roleArn), region), () => this.credentials.get(target));
      }
      this.cloudTrailClients.set(key, client);
    }
    return client;
  }

  s3(target: AssumeRoleTarget, region: string): S3Client {
    const key = CustomerAwsClients.key(target, region);
    let client = this.s3Clients.get(key);
    if (!client) {
      client = new S3Client({
        region,
        // Trail buckets often live in another region than the account-region being read.
        followRegionRedirects: true,
        ...s3AddressingOptions(),
        credentials: this.credentials.provider(target),
        ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      });
      this.s3Clients.set(key, client);
    }
    return client;
  }

  /**
   * Drops the cached credentials and clients of a role: the SDK memoises an identity until it is
   * near expiry, so only new clients pick up credentials replaced early (e.g. after ExpiredToken).
   */
  invalidate(target: AssumeRoleTarget): void {
    this.credentials.invalidate(target);
    const prefix = `${target.roleArn}\u0000${target.externalId}\u0000`;
    for (const map of [this.cloudTrailClients, this.s3Clients] as Map<string, { destroy(): void }>[]) {
      for (const [key, client] of map) {
        if (key.startsWith(prefix)) {
          client.destroy();
          map.delete(key);
        }
      }
    }
  }

  destroy(): void {
    for (const c of this.cloudTrailClients.values()) c.destroy();
    for (const c of this.s3Clients.values()) c.destroy();
    this.cloudTrailClients.clear();
    this.s3Clients.clear();
  }
}

const GATE_MIDDLEWARE = 'trailguardLookupEventsGate';

/**
 * Placed after the retry middleware, so each attempt — not just each command — takes a slot (the
 * account-region limit counts HTTP requests, retries included), and before signing, so a request
 * is signed with fresh credentials and date after waiting. `beforeAcquire` resolves credentials
 * first: a refresh (an AssumeRole round trip) must not sit between taking the slot and sending,
 * or the spacing the limiter created would shrink on the way to AWS.
 */
export function addLookupEventsGate(
  client: CloudTrailClient,
  gate: LookupEventsGate,
  key: string,
  beforeAcquire?: () => Promise<unknown>,
): void {
  const middleware =
    <Output extends object>(next: FinalizeHandler<object, Output>): FinalizeHandler<object, Output> =>
    async (args: FinalizeHandlerArguments<object>) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers?.['x-amz-target']?.endsWith('.LookupEvents')) {
        if (beforeAcquire) await beforeAcquire();
        await gate.acquire(key);
      }
      return next(args);
    };
  const options: FinalizeRequestHandlerOptions & { relation: 'after'; toMiddleware: string } = {
    step: 'finalizeRequest',
    name: GATE_MIDDLEWARE,
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  };
  client.middlewareStack.addRelativeTo(middleware as never, options);
}
