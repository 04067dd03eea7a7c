import { describe, expect, it } from 'vitest';
import { smallestFittingProduct } from '../../domain/product';
import { SIM_PRODUCTS } from '../../providers/sim/catalog';

describe('smallest fitting product', () => {
  const x86 = SIM_PRODUCTS.filter((p) => p.architecture === 'x86_64');

  it('picks the smallest product meeting CPU, memory and storage', () => {
    expect(smallestFittingProduct(x86, { cpu: 1, memoryGb: 1, storageGb: 10 })?.id).toBe('m1.micro');
    expect(smallestFittingProduct(x86, { cpu: 1, memoryGb: 8, storageGb: 10 })?.id).toBe('m1.large');
    expect(smallestFittingProduct(x86, { cpu: 2, memoryGb: 2, storageGb: 100 })?.id).toBe('m1.xlarge');
  });

  it('finds none when nothing is big enough', () => {
    expect(smallestFittingProduct(x86, { cpu: 64, memoryGb: 1, storageGb: 1 })).toBeUndefined();
  });
});
