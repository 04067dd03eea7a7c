import type * as OpenTelemetry from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

// The SDK's OpenTelemetry workflow interceptors (spans for the run and for each activity, child workflow and signal
// it starts, exported through the worker's `exporter` sink: worker/tracing.ts), for a workflow whose start carried a
// trace context: one started by a traced API, or by a traced parent. Any other workflow runs as if they were not
// bundled, so tracing costs nothing where it is off, and switching it on or off never changes how an existing
// workflow replays: whether one is traced is written in its first event. What the interceptors add are headers,
// which replay does not compare (test/workflows/traced-replay.test.ts replays every recorded history both ways).

/**
 * The SDK's interceptors, with the OpenTelemetry SDK under them (0.7 MB of code), loaded in a traced workflow only:
 * each workflow evaluates the modules it loads for itself (the SDK's reusable V8 context), so an untraced one does
 * not pay for them. `require`, unlike `import()`, keeps them in the one bundle.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openTelemetry = () => require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OpenTelemetry;

/** The header the SDK's client and workflow interceptors carry a trace context in. */
export const TRACE_HEADER = '_tracer-data';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let traced:
    | {
        inbound: OpenTelemetry.OpenTelemetryInboundInterceptor;
        outbound: OpenTelemetry.OpenTelemetryOutboundInterceptor;
      }
    | undefined;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!(TRACE_HEADER in input.headers)) return next(input);
      const { OpenTelemetryInboundInterceptor, OpenTelemetryOutboundInterceptor } = openTelemetry();
      traced = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor() };
      return traced.inbound.execute(input, next);
    },
    handleSignal: (input, next) => (traced ? traced.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (traced ? traced.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (traced ? traced.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (traced ? traced.inbound.handleQuery(input, next) : next(input)),
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) =>
      traced ? traced.outbound.startChildWorkflowExecution(input, next) : next(input),
    startNexusOperation: (input, next) => (traced ? traced.outbound.startNexusOperation(input, next) : next(input)),
    continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (traced ? traced.outbound.signalWorkflow(input, next) : next(input)),
    getLogAttributes: (input, next) => (traced ? traced.outbound.getLogAttributes(input, next) : next(input)),
  };

  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) =>
      traced ? new (openTelemetry().OpenTelemetryInternalsInterceptor)().dispose(input, next) : next(input),
  };

  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
