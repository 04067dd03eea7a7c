import { Client, Connection } from '@temporalio/client';
import { temporalAddress, type Config } from '../config/config';

/** The API's Temporal client; closing it is the caller's job (`client.connection.close()`). */
export async function connectClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_PORT' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: temporalAddress(config) });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
