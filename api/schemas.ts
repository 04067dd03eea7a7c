import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { ERROR_CODES_DESCRIPTION } from './error-codes';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/launch';

// Shared primitives of every route's schemas.
export const ErrorSchema = z.object({ code: z.string().describe(ERROR_CODES_DESCRIPTION), message: z.string() });

export const IdempotencyKeySchema = z
  .string()
  .max(100)
  .regex(IDEMPOTENCY_KEY_PATTERN, 'use 1 to 100 letters, digits, dots, hyphens and underscores');

/**
 * The zod transform for the OpenAPI document, with a 204 documented as no body: fastify-swagger leaves the content out
 * only for `type: 'null'`, which the transform turns into a nullable JSON value.
 */
export const openApiTransform: typeof jsonSchemaTransform = (document) => {
  const transformed = jsonSchemaTransform(document);
  const response = transformed.schema?.response as Record<string, unknown> | undefined;
  if (response?.['204']) response['204'] = { type: 'null', description: 'No Content' };
  return transformed;
};
