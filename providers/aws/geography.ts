import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { Ec2Session } from './ec2-session';

// Regions this account has enabled, and the zones of one region that are up.
export async function listRegions(ec2: Ec2Session): Promise<string[]> {
  const out = await ec2.callHome('DescribeRegions', (c) => c.send(new DescribeRegionsCommand({})));
  return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
}

export async function listZones(ec2: Ec2Session, region: string): Promise<string[]> {
  const Filters = [{ Name: 'state', Values: ['available'] }];
  const out = await ec2.call(region, 'DescribeAvailabilityZones', (c) =>
    c.send(new DescribeAvailabilityZonesCommand({ Filters })),
  );
  return (out.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])).sort();
}
