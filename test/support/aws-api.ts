import { AwsProvider } from '../../providers/aws/aws-provider';
import { startTestApi } from './api';
import { startMoto } from './moto';

/**
 * The test API and its worker on the EC2 driver against a moto of its own (GUEST_EXECUTOR=none); `aws` is the same
 * driver, for setting the cloud up directly. stop() closes the API, then moto.
 */
export async function startAwsTestApi(region: string) {
  const moto = await startMoto();
  try {
    const aws = new AwsProvider({
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const env = await startTestApi({ provider: aws, guest: null });
    return {
      ...env,
      aws,
      async stop() {
        await env.stop();
        await moto.stop();
      },
    };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}
