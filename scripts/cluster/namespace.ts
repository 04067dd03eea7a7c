import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

// What a self-hosted cluster needs before the service can use it: the namespace, and the service's search
// attributes in it. Idempotent: `npm run cluster` runs it on every start, docker-compose.yml once, an operator any time.

const { temporal } = proto;
const ALREADY_EXISTS = 6;
const isGrpcCode = (err: unknown, code: number) => (err as { code?: number }).code === code;

/** Registers the namespace (3 days' retention) unless it exists, then the search attributes it lacks. */
export async function prepareNamespace(
  connection: Connection,
  namespace: string,
  say: (line: string) => void,
): Promise<void> {
  await ensureNamespace(connection, namespace, say);
  await ensureSearchAttributes(connection, namespace, say);
}

/** Registers the namespace (3 days' retention) unless it exists, and waits until the frontend serves it. */
async function ensureNamespace(connection: Connection, namespace: string, say: (line: string) => void): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('3 days'),
    });
    say(`namespace ${namespace}: registered`);
  } catch (err) {
    if (!isGrpcCode(err, ALREADY_EXISTS)) throw err;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  say: (line: string) => void,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
  if (missing.length === 0) return;
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, keyword])),
  });
  say(`search attributes: registered ${missing.map((key) => key.name).join(', ')}`);
}
