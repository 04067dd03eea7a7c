import type { CloudDeps, ActivityDeps } from './deps';

/**
 * What is charged to a billing code now, one launch id per server: servers the cloud has (not terminated) with the
 * code's tag, in every region, named by the launch that made them, and launches still running that have not made
 * their server yet (a running clone's temporary server is its child launch's). A launch with its server counts once.
 */
export async function chargedToBillingCode(
  { provider, workflows }: ActivityDeps,
  code: string,
  recent: string[] = [],
): Promise<{ charged: string[]; closed: string[] }> {
  const charged = new Set(await chargedServers({ provider }, code));
  for (const launchId of (await workflows?.launchesCharging(code)) ?? []) charged.add(launchId);
  // Places admitted a moment ago may not show yet (visibility lags); those whose launch has closed without a live
  // server (failed, cancelled, or its server already terminated) are said, so their places go back at once.
  const closed: string[] = [];
  for (const launchId of recent.filter((id) => !charged.has(id))) {
    const owner = await workflows?.of(launchId);
    if (owner?.state === 'completed' || owner?.state === 'ended') closed.push(launchId);
  }
  return { charged: [...charged], closed };
}

async function chargedServers({ provider }: CloudDeps, code: string): Promise<string[]> {
  const regions = await provider.listRegions();
  const perRegion = await Promise.all(
    regions.map((region) => provider.listServers(region, { tag: { key: 'billing-code', value: code } })),
  );
  return perRegion
    .flat()
    .filter((server) => server.state !== 'terminated')
    .map((server) => server.tags['workflow-id'] ?? server.id);
}
