import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// The custom search attributes every workflow of this service may set; registered on the dev server
// by `npm start` and the tests, and on a cluster by docker-compose.yml / the README's commands.
export const ImageId = defineSearchAttributeKey('ImageId', SearchAttributeType.KEYWORD);
export const ServerId = defineSearchAttributeKey('ServerId', SearchAttributeType.KEYWORD);
export const Provider = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);
export const Region = defineSearchAttributeKey('Region', SearchAttributeType.KEYWORD);
export const BillingCode = defineSearchAttributeKey('BillingCode', SearchAttributeType.KEYWORD);
export const Group = defineSearchAttributeKey('Group', SearchAttributeType.KEYWORD);
export const LaunchStep = defineSearchAttributeKey('LaunchStep', SearchAttributeType.KEYWORD);
export const ImageFamily = defineSearchAttributeKey('ImageFamily', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [ImageId, ServerId, Provider, Region, BillingCode, Group, LaunchStep, ImageFamily];

/** `Name=Keyword` pairs, as `temporal server start-dev --search-attribute` and `temporal operator search-attribute create` take them. */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.map((key) => `${key.name}=Keyword`);
}
