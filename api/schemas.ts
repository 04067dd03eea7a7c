import { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/launch';

// Shared primitives of every route's schemas.
export const ErrorSchema = z.object({ code: z.string(), message: z.string() });

export const IdempotencyKeySchema = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'use 1 to 100 letters, digits, dots, hyphens and underscores');
