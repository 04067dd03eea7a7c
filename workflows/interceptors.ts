import {
  getCurrentDetails,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { publicText, withoutMark } from '../domain/public-text';

// Every activity a workflow schedules carries a summary for the Web UI's timeline and event history: what the
// workflow is doing at the time (its current details: the launch, its server and step), in the clear like the
// details themselves. A summary is user metadata: replay does not compare it, so adding it changes
// no workflow's commands.

const summaryOf = (activityType: string, given: string | undefined): string => {
  if (given) return publicText(given);
  const doing = withoutMark(getCurrentDetails());
  // The Web UI shows the activity type beside the summary already.
  return publicText(doing || activityType);
};

class ActivitySummaries implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return next({
      ...input,
      options: { ...input.options, summary: summaryOf(input.activityType, input.options.summary) },
    });
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return next({
      ...input,
      options: { ...input.options, summary: summaryOf(input.activityType, input.options.summary) },
    });
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new ActivitySummaries()] });
