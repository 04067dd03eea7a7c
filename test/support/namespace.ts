import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { prepareNamespace } from '../../scripts/cluster/namespace';

/**
 * A namespace of the file's own on the run's dev server, with the service's search attributes. For a test that acts on
 * whatever the API lists (the fuzz run): in `default` it would cancel other files' launches and change their families.
 */
export async function ownNamespace(prefix: string): Promise<{ namespace: string; drop(): Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const namespace = `${prefix}-${randomUUID().slice(0, 8)}`;
  try {
    // As `npm run temporal:prepare` would on a cluster: the namespace, then the search attributes.
    await prepareNamespace(connection, namespace, () => undefined);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return {
    namespace,
    async drop() {
      await connection.operatorService.deleteNamespace({ namespace }).catch(() => undefined);
      await connection.close();
    },
  };
}
