import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/** zod-validated input; a 400 names each bad field and what it must be. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new BadRequestException({
    error: 'invalid_request',
    message: `invalid ${what}`,
    problems: result.error.issues.map((issue) => `${issue.path.join('.') || `(${what})`}: ${issue.message}`),
  });
}
