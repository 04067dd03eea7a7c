import { DescribeInstanceTypesCommand, type InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { Architecture } from '../../domain/image';
import type { Product } from '../../domain/product';
import type { Ec2Session } from './ec2-session';
import { collectAll } from './paging';

// Instance types as products, cached per region and architecture for the life of the process: they rarely change.
export class AwsProducts {
  private readonly cache = new Map<string, Promise<Product[]>>();

  constructor(private readonly ec2: Ec2Session) {}

  async list(region: string, filter: { architecture?: Architecture } = {}): Promise<Product[]> {
    const key = `${region} ${filter.architecture ?? 'any'}`;
    let products = this.cache.get(key);
    if (!products) {
      products = this.fetch(region, filter.architecture);
      void products.catch(() => this.cache.delete(key));
      this.cache.set(key, products);
    }
    return (await products).map((p) => ({ ...p }));
  }

  private async fetch(region: string, architecture: Architecture | undefined): Promise<Product[]> {
    const Filters = architecture
      ? [{ Name: 'processor-info.supported-architecture', Values: [architecture] }]
      : undefined;
    const types = await collectAll(async (NextToken) => {
      const out = await this.ec2.call(region, 'DescribeInstanceTypes', (c) =>
        c.send(new DescribeInstanceTypesCommand({ Filters, MaxResults: 100, NextToken })),
      );
      return { items: out.InstanceTypes ?? [], next: out.NextToken };
    });
    return types.flatMap((t) => toProduct(t, architecture)).sort((a, b) => a.id.localeCompare(b.id));
  }
}

function toProduct(type: InstanceTypeInfo, wanted: Architecture | undefined): Product[] {
  const supported: string[] = type.ProcessorInfo?.SupportedArchitectures ?? [];
  const architecture = wanted
    ? supported.includes(wanted)
      ? wanted
      : undefined
    : supported.includes('arm64')
      ? 'arm64'
      : supported.includes('x86_64')
        ? 'x86_64'
        : undefined;
  if (!type.InstanceType || !architecture) return []; // mac-only and i386-only types run none of our images
  return [
    {
      id: type.InstanceType,
      name: type.InstanceType,
      cpuCount: type.VCpuInfo?.DefaultVCpus ?? 0,
      memoryGb: (type.MemoryInfo?.SizeInMiB ?? 0) / 1024,
      // EBS-only types have no disk of their own: the launch sizes the root volume from the image.
      rootDiskGb: type.InstanceStorageInfo?.TotalSizeInGB ?? 0,
      architecture,
    },
  ];
}
