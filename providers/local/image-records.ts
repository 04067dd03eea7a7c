import type { MachineImage } from '../../domain/image';
import type { ImageUpdate } from '../cloud-provider';
import { applyTags } from './tags';

// An own image's labels as the clouds that keep image records (sim, qemu) change them: the name is also the
// `Name` tag and the label colour the `label-color` tag, as on EC2; an empty value removes a tag or the colour.
// The caller checks the new name's shape and that no other image has it.
export function applyImageUpdate(image: Omit<MachineImage, 'state'>, update: ImageUpdate): void {
  if (update.name !== undefined) {
    image.name = update.name;
    image.tags.Name = update.name;
  }
  if (update.description !== undefined) image.description = update.description;
  image.tags = applyTags(image.tags, update.labels);
  if (update.labelColor !== undefined) {
    image.tags = applyTags(image.tags, { 'label-color': update.labelColor });
    if (update.labelColor === '') delete image.labelColor;
    else image.labelColor = update.labelColor;
  }
}
