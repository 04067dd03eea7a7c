import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { inject } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

/**
 * A namespace of the file's own on the run's dev server, with the service's search attributes. For a test that acts on
 * whatever the API lists (the fuzz run): in `default` it would cancel other files' launches and change their families.
 */
export async function ownNamespace(prefix: string): Promise<{ namespace: string; drop(): Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const namespace = `${prefix}-${randomUUID().slice(0, 8)}`;
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, keyword])) });
    // Registration reaches the frontend's namespace cache a moment later.
    for (let tries = 0; ; tries++) {
      const described = await connection.workflowService.describeNamespace({ namespace }).then(
        () => true,
        () => false,
      );
      if (described) break;
      if (tries === 50) throw new Error(`namespace ${namespace} did not appear`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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
