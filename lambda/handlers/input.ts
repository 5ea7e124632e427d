import * as z from 'zod';
import { problemsFromIssues } from '../../contract/errors';
import { bucketNameSchema } from '../../contract/names';
import { InputValidationError } from '../core/errors';

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

/** Requests name buckets by the same rules as the config. */
export const bucketName = bucketNameSchema;
