import { z } from 'zod';
import { InputValidationError, problemsFromIssues } from '../core/errors';

/** Validate an invocation's input; a failure names the field, the value received and what was expected. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, subject: string): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw new InputValidationError(subject, problemsFromIssues(result.error.issues, input));
  return result.data;
}

/** What an EventBridge schedule (rule or Scheduler) delivers; nothing in it is input. */
export const ScheduledEventSchema = z.looseObject({
  source: z.literal('aws.events', { error: '"aws.events" (an EventBridge schedule)' }),
  'detail-type': z.literal('Scheduled Event', { error: '"Scheduled Event"' }),
});

export const bucketName = z
  .string({ error: 'an S3 bucket name' })
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'an S3 bucket name: 3-63 characters of a-z, 0-9, "." and "-"' });
