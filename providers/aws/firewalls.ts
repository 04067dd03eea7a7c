import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  RevokeSecurityGroupIngressCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  type DescribeSecurityGroupsCommandInput,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { Firewall, FirewallRule } from '../../domain/network';
import type { CreateFirewallInput } from '../cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';
import { ignoreNotFound, readBack, type Ec2Session } from './ec2-session';
import { ec2CodeOf } from './errors';
import { fromTagList, tagFilters, tagSpecifications } from './tags';
import { ruleKey, toFirewall, toIpPermission } from './firewall-rules';

// Firewalls are security groups in the region's default VPC.
export class AwsFirewalls {
  private readonly defaultVpcs = new Map<string, Promise<string>>();

  constructor(private readonly ec2: Ec2Session) {}

  async create(region: string, input: CreateFirewallInput): Promise<Firewall> {
    const VpcId = await this.defaultVpc(region);
    const tags = input.tags ?? {};
    const out = await this.ec2.call(region, 'CreateSecurityGroup', (c) =>
      c.send(
        new CreateSecurityGroupCommand({
          GroupName: input.name,
          Description: input.description,
          VpcId,
          TagSpecifications: tagSpecifications(['security-group'], tags),
        }),
      ),
    );
    const groupId = out.GroupId;
    if (!groupId)
      throw new ProviderError('Unavailable', `EC2 CreateSecurityGroup in ${region} returned no id for ${input.name}`);
    try {
      return await this.authorize(region, groupId, input.rules);
    } catch (err) {
      // A half-made firewall would block the retry with a duplicate name: remove it, keep the first error.
      await this.delete(region, groupId).catch(() => undefined);
      throw err;
    }
  }

  /** Adds rules; one the firewall already has is left as it is. */
  async authorize(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> {
    const current = await readBack(() => this.get(region, firewallId));
    const present = new Set(current.rules.map(ruleKey));
    const missing = [...new Map(rules.map((r) => [ruleKey(r), r])).values()].filter((r) => !present.has(ruleKey(r)));
    if (missing.length === 0) return current;
    try {
      await this.ingress(region, firewallId, missing);
    } catch (err) {
      // Someone else added one of them meanwhile: EC2 refuses the whole batch, so add them one by one.
      if (ec2CodeOf(err) !== 'InvalidPermission.Duplicate') throw err;
      for (const rule of missing) {
        await this.ingress(region, firewallId, [rule]).catch((e: unknown) => {
          if (ec2CodeOf(e) !== 'InvalidPermission.Duplicate') throw e;
        });
      }
    }
    return this.get(region, firewallId);
  }

  /** Removes rules; one the firewall lacks is left out, since EC2 refuses to revoke what is not there. */
  async revoke(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> {
    const current = await readBack(() => this.get(region, firewallId));
    const wanted = new Set(rules.map(ruleKey));
    const present = current.rules.filter((r) => wanted.has(ruleKey(r)));
    if (present.length === 0) return current;
    try {
      await this.ec2.call(region, 'RevokeSecurityGroupIngress', (c) =>
        c.send(
          new RevokeSecurityGroupIngressCommand({ GroupId: firewallId, IpPermissions: present.map(toIpPermission) }),
        ),
      );
    } catch (err) {
      // Someone else removed one of them meanwhile: EC2 refuses the whole batch, so remove them one by one.
      if (ec2CodeOf(err) !== 'InvalidPermission.NotFound') throw err;
      for (const rule of present) {
        await this.ec2
          .call(region, 'RevokeSecurityGroupIngress', (c) =>
            c.send(
              new RevokeSecurityGroupIngressCommand({ GroupId: firewallId, IpPermissions: [toIpPermission(rule)] }),
            ),
          )
          .catch((e: unknown) => {
            if (ec2CodeOf(e) !== 'InvalidPermission.NotFound') throw e;
          });
      }
    }
    return this.get(region, firewallId);
  }

  async list(
    region: string,
    filter: { ids?: string[]; tag?: { key: string; value?: string } } = {},
  ): Promise<Firewall[]> {
    if (filter.ids?.length === 0) return [];
    const filters: Filter[] = tagFilters(filter.tag);
    if (!filter.ids) filters.push({ Name: 'vpc-id', Values: [await this.defaultVpc(region)] });
    return this.describe(region, { ...(filter.ids ? { GroupIds: filter.ids } : {}), Filters: filters });
  }

  async delete(region: string, firewallId: string): Promise<void> {
    await ignoreNotFound(() =>
      this.ec2.call(region, 'DeleteSecurityGroup', (c) =>
        c.send(new DeleteSecurityGroupCommand({ GroupId: firewallId })),
      ),
    );
  }

  private async get(region: string, firewallId: string): Promise<Firewall> {
    const [firewall] = await this.describe(region, { GroupIds: [firewallId] });
    if (!firewall) throw new ProviderError('NotFound', `firewall ${firewallId} does not exist in ${region}`);
    return firewall;
  }

  private async describe(
    region: string,
    query: Pick<DescribeSecurityGroupsCommandInput, 'GroupIds' | 'Filters'>,
  ): Promise<Firewall[]> {
    const firewalls: Firewall[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.ec2.call(region, 'DescribeSecurityGroups', (c) =>
        c.send(new DescribeSecurityGroupsCommand({ ...query, NextToken })),
      );
      firewalls.push(...(out.SecurityGroups ?? []).map((g) => toFirewall(g, fromTagList(g.Tags))));
      NextToken = out.NextToken;
    } while (NextToken);
    return firewalls;
  }

  private async ingress(region: string, firewallId: string, rules: FirewallRule[]): Promise<void> {
    const IpPermissions = rules.map(toIpPermission);
    await this.ec2.call(region, 'AuthorizeSecurityGroupIngress', (c) =>
      c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: firewallId, IpPermissions })),
    );
  }

  private defaultVpc(region: string): Promise<string> {
    let vpc = this.defaultVpcs.get(region);
    if (!vpc) {
      vpc = this.ec2
        .call(region, 'DescribeVpcs', (c) =>
          c.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] })),
        )
        .then((out) => {
          const id = out.Vpcs?.[0]?.VpcId;
          if (!id) {
            throw new ProviderError(
              'Unsupported',
              `${region} has no default VPC, where firewalls live; create one with "aws ec2 create-default-vpc --region ${region}"`,
            );
          }
          return id;
        });
      void vpc.catch(() => this.defaultVpcs.delete(region));
      this.defaultVpcs.set(region, vpc);
    }
    return vpc;
  }
}
