import { Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../../config/config';
import { checkTemporalConnection } from '../../config/temporal-check';
import { temporalEndpoint } from '../../config/temporal-settings';
import { prepareNamespace } from './namespace';

// `npm run temporal:prepare`: on a self-hosted cluster named by TEMPORAL_* (or a profile), registers the namespace
// and the service's search attributes. Temporal Cloud creates both in its own console or with tcld instead.
async function run(): Promise<void> {
  const { temporal } = loadConfigOrExit();
  await checkTemporalConnection(temporal, { namespaceMustExist: false });
  const connection = await Connection.connect({ ...temporalEndpoint(temporal), connectTimeout: 15_000 });
  try {
    await prepareNamespace(connection, temporal.namespace, (line) => console.log(line));
    console.log(`namespace ${temporal.namespace} on ${temporal.address}: ready for the service`);
  } finally {
    await connection.close();
  }
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
