import type { Client } from '@temporalio/client';
import type { CloudProvider } from '../../providers/cloud-provider';

/**
 * What is charged to a billing code, one entry per server: servers the cloud has (not terminated) with the code's tag,
 * in every region, named by the launch that made them, and launches still running that have not made their server
 * yet. A launch that has made its server appears in both and counts once.
 */
export async function chargedServers(provider: CloudProvider, client: Client, code: string): Promise<Set<string>> {
  const regions = await provider.listRegions();
  const perRegion = await Promise.all(
    regions.map((region) => provider.listServers(region, { tag: { key: 'billing-code', value: code } })),
  );
  const charged = new Set(
    perRegion
      .flat()
      .filter((server) => server.state !== 'terminated')
      .map((server) => server.tags['workflow-id'] ?? server.id),
  );
  // The code was checked against the billing codes file, so it is safe inside the quotes.
  const launches = `WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND BillingCode = '${code}' AND ServerId IS NULL`;
  for await (const launch of client.workflow.list({ query: launches })) charged.add(launch.workflowId);
  // A running clone holds a temporary server, made by its child launch `launch-<clone id>`, from its start to its end.
  const clones = `WorkflowType = 'cloneTemplate' AND ExecutionStatus = 'Running' AND BillingCode = '${code}'`;
  for await (const clone of client.workflow.list({ query: clones })) charged.add(`launch-${clone.workflowId}`);
  return charged;
}
