import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { useCapabilities } from '../capabilities';
import { fieldErrorsOf, placeErrors } from '../components/field-error';
import { newIdempotencyKey } from '../components/idempotency-key';
import { ModalDialog } from '../components/modal-dialog';
import type { Image, Region } from '../types';
import { defaultCharge, useBillingChoice } from './billing-choice';
import { ChargeFields } from './charge-fields';
import { useLaunchChoices } from './launch-choices';
import { Field, GroupError } from './launch-field';
import { launchProblems, launchRequestOf, newLaunchForm, shownFields, type LaunchForm } from './launch-form';
import { HardwareFields } from './launch-hardware-fields';
import { FirewallFields, KeypairFields } from './launch-network-fields';
import { VolumeFields } from './launch-volume-fields';

// Launch a server from an image: the dialog gathers a LaunchRequest, checks it as the API would, and on 202 hands
// over to the launch's own page, which follows it to the end.

interface Props {
  image: Image;
  region: string;
  regions: Region[];
  onClose: () => void;
}

export function LaunchDialog({ image, region, regions, onClose }: Props) {
  const [form, setForm] = useState<LaunchForm>(() => newLaunchForm(region));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const billing = useBillingChoice();
  const choices = useLaunchChoices(form.region, image.architecture);
  const capabilities = useCapabilities(form.region);
  const key = useRef(newIdempotencyKey()).current;
  const formRef = useRef<HTMLFormElement>(null);
  const update = (change: Partial<LaunchForm>) => setForm((current) => ({ ...current, ...change }));
  const section = { form, update, errors, choices, capabilities };

  useEffect(() => {
    if (billing)
      setForm((current) =>
        current.group || current.billingCode ? current : { ...current, ...defaultCharge(billing) },
      );
  }, [billing]);

  // Start from the smallest product whose root disk holds the image.
  useEffect(() => {
    const fitting = choices?.products.find((p) => p.rootDiskGb >= (image.minDiskGb ?? 0)) ?? choices?.products[0];
    setForm((current) =>
      choices?.products.some((p) => p.id === current.productId)
        ? current
        : { ...current, productId: fitting?.id ?? '' },
    );
  }, [choices]);

  // Nothing the cloud cannot do stays chosen from before its capabilities were known.
  useEffect(() => {
    if (!capabilities) return;
    setForm((current) => ({
      ...current,
      blockEncryption: current.blockEncryption && capabilities.blockEncryption,
      volumeType: capabilities.volumeTypes?.includes(current.volumeType) ? current.volumeType : '',
    }));
  }, [capabilities]);

  function show(problems: Record<string, string>): void {
    setErrors(placeErrors(problems, shownFields(form)));
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const problems = launchProblems(form, capabilities);
    if (Object.keys(problems).length) return show(problems);
    setBusy(true);
    try {
      const accepted = await api<{ id: string }>('POST', '/v1/launches', launchRequestOf(form, image.id), {
        'idempotency-key': key,
      });
      onClose();
      location.hash = `#/launches/${encodeURIComponent(accepted.id)}`;
    } catch (err) {
      show(fieldErrorsOf(err));
      setBusy(false);
    }
  }

  const zones = regions.find((r) => r.id === form.region)?.zones ?? [];
  return (
    <ModalDialog title={`Launch from ${image.name}`} onClose={onClose} busy={busy}>
      <form ref={formRef} class="launch-form" onSubmit={submit} noValidate>
        <p class="hint">
          {image.id} · {image.platform} · {image.architecture}
        </p>
        <div class="grid">
          <Field path="name" label="Server name" errors={errors}>
            {(props) => (
              <input
                {...props}
                value={form.name}
                autocomplete="off"
                onInput={(e) => update({ name: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field path="region" label="Region" errors={errors}>
            {(props) => (
              <select
                {...props}
                value={form.region}
                onChange={(e) =>
                  update({ region: e.currentTarget.value, zone: '', productId: '', firewallIds: [], keypairName: '' })
                }
              >
                {regions.map((r) => (
                  <option value={r.id}>{r.id}</option>
                ))}
              </select>
            )}
          </Field>
          <Field path="zone" label="Zone" errors={errors}>
            {(props) => (
              <select {...props} value={form.zone} onChange={(e) => update({ zone: e.currentTarget.value })}>
                <option value="">Any zone</option>
                {zones.map((z) => (
                  <option value={z}>{z}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <HardwareFields {...section} />
        <div class="launch-access">
          <FirewallFields {...section} />
          <KeypairFields {...section} />
        </div>
        <VolumeFields {...section} />
        <fieldset>
          <legend>Charged to</legend>
          <div class="grid">
            <ChargeFields idPrefix="launch" value={form} billing={billing} errors={errors} onChange={update} />
          </div>
        </fieldset>
        {choices?.problem && <p class="field-error">{choices.problem}</p>}
        <GroupError path="" errors={errors} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Launch
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
