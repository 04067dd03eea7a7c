import type { Image } from '../types';
import type { ImageCapabilities } from './image-capabilities';
import { ImageActions, type ImageAction } from './image-actions';
import { ImageLabel } from './image-label';
import { ImageName } from './image-name';

// The images as one plain table: a row is a few text cells and two buttons, and the name editor, palette and
// menu exist only for the one row that has one open, so a thousand rows paint at once.

/** Which row has which popup open; one at a time across the table. */
export interface OpenPopup {
  imageId: string;
  what: 'name' | 'label' | 'menu';
}

interface Props {
  images: Image[];
  servers: Map<string, number>;
  open: OpenPopup | undefined;
  setOpen: (open: OpenPopup | undefined) => void;
  onChange: (image: Image, change: { name: string } | { labelColor: string }) => Promise<void>;
  onAction: (image: Image, action: ImageAction) => void;
  capabilities: ImageCapabilities | undefined;
}

const created = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

export function ImageTable({ images, servers, open, setOpen, onChange, onAction, capabilities }: Props) {
  const close = () => setOpen(undefined);
  return (
    <table class="images">
      <thead>
        <tr>
          <th>
            <span class="visually-hidden">Label</span>
          </th>
          <th>Name</th>
          <th>Platform</th>
          <th>Architecture</th>
          <th>State</th>
          <th>Created (UTC)</th>
          <th title="Servers launched from the image that are not terminated">Servers</th>
          <th>
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {images.map((image) => {
          const opened = open?.imageId === image.id ? open.what : undefined;
          return (
            <tr key={image.id} data-image-id={image.id}>
              <td class="cell-rel">
                <ImageLabel
                  image={image}
                  open={opened === 'label'}
                  onOpen={() => setOpen({ imageId: image.id, what: 'label' })}
                  onClose={close}
                  onChoose={(labelColor) => onChange(image, { labelColor })}
                  capabilities={capabilities}
                />
              </td>
              <td>
                <ImageName
                  image={image}
                  editing={opened === 'name'}
                  onEdit={() => setOpen({ imageId: image.id, what: 'name' })}
                  onDone={close}
                  onRename={(name) => onChange(image, { name })}
                />
              </td>
              <td>{image.platform}</td>
              <td>{image.architecture}</td>
              <td title={image.stateReason}>{image.state}</td>
              <td>{created(image.createdAt)}</td>
              <td class="count">{servers.get(image.id) ?? 0}</td>
              <td class="cell-rel row-actions">
                <ImageActions
                  image={image}
                  open={opened === 'menu'}
                  onOpen={() => setOpen({ imageId: image.id, what: 'menu' })}
                  onClose={close}
                  onChoose={(action) => onAction(image, action)}
                  capabilities={capabilities}
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
