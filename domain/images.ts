import { z } from 'zod';
import { LABEL_COLORS } from './label-colors';
import { DurationSchema, ProductChoiceSchema } from './launch-request';

// Requests about machine images: one schema each for the API and the workflows.

export { LABEL_COLORS, type LabelColor } from './label-colors';

export const ImageUpdateSchema = z
  .object({
    name: z.string().min(1).max(128).optional(),
    description: z.string().max(255).optional(),
    labelColor: z.enum(LABEL_COLORS, { error: `choose one of ${LABEL_COLORS.join(', ')}` }).optional(),
  })
  .strict()
  .refine((update) => Object.keys(update).length > 0, {
    message: 'give at least one of name, description, labelColor',
  });

export const CaptureRequestSchema = z
  .object({
    region: z.string().min(1).max(64),
    serverId: z.string().min(1).max(128),
    name: z.string().min(1).max(128),
    description: z.string().max(255).optional(),
    /** Stop the server for a consistent disk, and start it again after. */
    reboot: z.boolean().default(false),
    /** How long the image may take to become available: default 45 minutes. */
    timeout: DurationSchema.default(2700),
  })
  .strict();

export const CloneRequestSchema = z
  .object({
    name: z.string().min(1).max(128),
    region: z.string().min(1).max(64),
    product: ProductChoiceSchema.optional(),
    customize: z
      .object({ userData: z.string().max(16384) })
      .strict()
      .optional(),
    keepServer: z.boolean().default(false),
    group: z.string().min(1).max(64).default('image-builds'),
    billingCode: z.string().min(1).max(64).default('image-builds'),
    timeout: DurationSchema.default(2700),
  })
  .strict();

export const DeprecateRequestSchema = z
  .object({
    replacementImageId: z.string().min(1).max(128).optional(),
    at: z.iso
      .datetime({ offset: true, error: 'give an ISO 8601 date-time such as 2027-01-31T00:00:00Z' })
      .max(40)
      .optional(),
  })
  .strict();

export type ImageUpdateRequest = z.output<typeof ImageUpdateSchema>;
export type CaptureRequest = z.output<typeof CaptureRequestSchema>;
export type CloneRequest = z.output<typeof CloneRequestSchema> & {
  sourceImageId: string;
  /** Tags for the new image, over the lineage ones (a family refresh sets family, version and source). */
  tags?: Record<string, string>;
};
export type DeprecateRequest = z.output<typeof DeprecateRequestSchema>;

export interface DeleteImageRequest {
  region: string;
  imageId: string;
  /** Skip the protection checks (admin only, once roles exist). */
  force: boolean;
}

export { LINEAGE_TAGS, type ImageLineage } from './lineage';

export const captureWorkflowId = (key: string) => `capture-${key}`;
export const cloneWorkflowId = (key: string) => `clone-${key}`;
export const deleteImageWorkflowId = (imageId: string) => `delete-image-${imageId}`;
