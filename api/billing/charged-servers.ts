import type { Client } from '@temporalio/client';
import type { CloudProvider } from '../../providers/cloud-provider';

/**
 * What is charged to a billing code, one entry per server: servers the cloud has (not terminated) with the code's tag,
 * in every region, named by the launch that made them, and launches still running that have not made their server
 * yet. A launch that has made its server appears in both and counts once.
 */
export async function chargedServers(provider: CloudProvider, client: Client, code: string): Promise<Set<string>> {
  const regions = await provider.listRegions();
  const perRegion = await Promise.all(regions.map((region) => provider.listServers(region, { tag: { key: 'billing-code', value: code } })));
  const charged = new Set(
    perRegion
      .flat()
      .filter((server) => server.state !== 'terminated')
      .map((server) => server.tags['workflow-id'] ?? server.id),
  );
  // The code was checked against the billing codes file, so it is safe inside the quotes.
  const query = `WorkflowType = 'launchServer' AND ExecutionStatus = 'Running' AND BillingCode = '${code}' AND ServerId IS NULL`;
  for await (const launch of client.workflow.list({ query })) charged.add(launch.workflowId);
  return charged;
}
