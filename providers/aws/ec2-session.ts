import { createHash } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { isProviderError } from '../../domain/cloud-errors';
import { translateEc2Error } from './errors';

export interface AwsProviderOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The key of the client that answers region-less calls (DescribeRegions). */
const HOME = '';

// One EC2Client per region; every call goes through `call`, which translates EC2's errors.
export class Ec2Session {
  private readonly clients = new Map<string, EC2Client>();

  constructor(private readonly options: AwsProviderOptions) {}

  /** Runs one SDK call against the region's client; any failure comes out as a ProviderError. */
  async call<T>(region: string, operation: string, run: (client: EC2Client) => Promise<T>): Promise<T> {
    try {
      return await run(this.client(region));
    } catch (err) {
      throw translateEc2Error(err, operation, region || 'the default region');
    }
  }

  /** For calls that are not about one region; the region comes from the options or the SDK's settings. */
  callHome<T>(operation: string, run: (client: EC2Client) => Promise<T>): Promise<T> {
    return this.call(HOME, operation, run);
  }

  private client(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      // Unset fields fall through to the SDK's own settings: AWS_ENDPOINT_URL, AWS_REGION, the credential chain.
      client = new EC2Client({
        region: region || this.options.region,
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
      });
      this.clients.set(region, client);
    }
    return client;
  }
}

/** EC2 takes client tokens of at most 64 ASCII characters; longer ones are hashed (the tag keeps the original). */
export const ec2ClientToken = (token: string): string =>
  /^[\x20-\x7e]{1,64}$/.test(token) ? token : createHash('sha256').update(token).digest('hex');

/** Reads something just written; EC2 is eventually consistent, so a brief NotFound is retried. */
export async function readBack<T>(read: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (!isProviderError(err) || err.code !== 'NotFound' || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

/** NotFound means the thing is already gone, which is what a delete wanted. */
export async function ignoreNotFound(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!isProviderError(err) || err.code !== 'NotFound') throw err;
  }
}
