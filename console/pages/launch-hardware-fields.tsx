import type { SectionProps } from './launch-choices';
import { Field, GroupError } from './launch-field';

// The server's hardware: one of the region's products for the image's architecture, or a size (CPU, memory,
// storage) for which the API picks the smallest product that fits.

export function HardwareFields({ form, update, errors, choices }: SectionProps) {
  return (
    <fieldset>
      <legend>Hardware</legend>
      <label class="choice">
        <input
          type="radio"
          name="hardware"
          checked={form.hardware === 'product'}
          onChange={() => update({ hardware: 'product' })}
        />
        A product
      </label>
      <label class="choice">
        <input
          type="radio"
          name="hardware"
          checked={form.hardware === 'size'}
          onChange={() => update({ hardware: 'size' })}
        />
        CPU, memory and storage
      </label>
      {form.hardware === 'product' ? (
        <Field path="product" label="Product" errors={errors}>
          {(props) => (
            <select {...props} value={form.productId} onChange={(e) => update({ productId: e.currentTarget.value })}>
              <option value="">{choices ? 'Choose a product' : 'Loading products…'}</option>
              {choices?.products.map((p) => (
                <option value={p.id}>{p.name}</option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <>
          <GroupError path="product" errors={errors} />
          <div class="grid">
            <Field path="product.cpu" label="CPUs" errors={errors}>
              {(props) => (
                <input
                  {...props}
                  type="number"
                  min={1}
                  max={448}
                  value={form.cpu}
                  onInput={(e) => update({ cpu: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field path="product.memoryGb" label="Memory (GB)" errors={errors}>
              {(props) => (
                <input
                  {...props}
                  type="number"
                  min={0.5}
                  step="any"
                  value={form.memoryGb}
                  onInput={(e) => update({ memoryGb: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field path="product.storageGb" label="Storage (GB)" errors={errors}>
              {(props) => (
                <input
                  {...props}
                  type="number"
                  min={1}
                  value={form.storageGb}
                  onInput={(e) => update({ storageGb: e.currentTarget.value })}
                />
              )}
            </Field>
          </div>
        </>
      )}
    </fieldset>
  );
}
