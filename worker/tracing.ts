import { createTraceState, trace } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  type SerializableSpan,
} from '@temporalio/interceptors-opentelemetry';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  InjectedSinks,
  Next,
} from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { SERVER_ID, WORKFLOW_ID, withWorkSpan } from '../config/spans';
import { spanProcessing } from '../config/tracing';

// The worker's half of tracing (config/tracing.ts starts the SDK): a span for each activity, a child of the span
// that scheduled it in the workflow, and the workflows' own spans (workflows/tracing.ts) handed out of the sandbox
// through the `exporter` sink into the process's exporter.

/** The activity's span names its workflow and, from its input or the cloud and guest calls inside it, its server. */
class ActivitySpanAttributes implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const span = trace.getActiveSpan();
    if (!span) return next(input);
    const workflowId = this.ctx.info.workflowExecution?.workflowId;
    if (workflowId) span.setAttribute(WORKFLOW_ID, workflowId);
    const serverId = (input.args[0] as { serverId?: unknown } | undefined)?.serverId;
    if (typeof serverId === 'string') span.setAttribute(SERVER_ID, serverId);
    return withWorkSpan(span, () => next(input));
  }
}

/** Activity interceptors while tracing is on: the SDK's span first, then what this service adds to it. */
export function activityTracing(): ActivityInterceptorsFactory[] {
  return [
    (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
    (ctx) => ({ inbound: new ActivitySpanAttributes(ctx) }),
  ];
}

/** What a workflow span says about its run: ids and names, not the whole WorkflowInfo (its memo, its last result). */
function workflowAttributes(info: WorkflowInfo) {
  // The ServerId search attribute, once the launch has one; a plain record, as it crosses from the workflow's thread.
  const serverId = (info.searchAttributes as Record<string, unknown[] | undefined> | undefined)?.ServerId?.[0];
  return {
    [WORKFLOW_ID]: info.workflowId,
    'temporal.run_id': info.runId,
    'temporal.workflow_type': info.workflowType,
    'temporal.task_queue': info.taskQueue,
    'temporal.namespace': info.namespace,
    ...(typeof serverId === 'string' ? { [SERVER_ID]: serverId } : {}),
  };
}

/**
 * The sink the workflow interceptors export their spans to, registered on every worker: where tracing is off (in
 * this process) the spans of a workflow started by a traced client are dropped here, and nothing is logged about a
 * missing sink. Not called during replay, so a span is exported once.
 */
export function workflowSpanSinks(): InjectedSinks<OpenTelemetrySinks> {
  const processing = spanProcessing();
  return {
    exporter: {
      export: {
        fn(info, spans: SerializableSpan[]) {
          if (!processing) return;
          const attributes = workflowAttributes(info);
          for (const { spanContext, ...span } of spans) {
            const context = {
              ...spanContext,
              traceState: spanContext.traceState ? createTraceState(spanContext.traceState) : undefined,
            };
            processing.processor.onEnd({
              ...span,
              attributes: { ...span.attributes, ...attributes },
              spanContext: () => context,
              resource: processing.resource,
            });
          }
        },
      },
    },
  };
}
