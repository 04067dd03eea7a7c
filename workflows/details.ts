// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- this is the one place that sets them
import { setCurrentDetails } from '@temporalio/workflow';
import { publicText } from '../domain/public-text';

/**
 * What the workflow is doing now, as the Web UI and `temporal workflow describe` show it, stored in the clear (the
 * payload codec leaves marked text unsealed). Name the image, server, group, billing code and step; never a secret.
 */
export const showDetails = (text: string): void => setCurrentDetails(publicText(text));
