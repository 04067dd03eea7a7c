import { z } from 'zod';

// Shared primitives of every route's schemas.
export const ErrorSchema = z.object({ code: z.string(), message: z.string() });

export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use 1 to 100 letters, digits, dots, hyphens and underscores');
