import { context, createContextKey, SpanStatusCode, trace, type Span, type SpanOptions } from '@opentelemetry/api';

// What every layer's spans share (config/tracing.ts starts the SDK that exports them): the attribute names, and the
// span of the work being done (an activity's), which learns from the cloud and guest calls inside it which server
// they were about. Attributes carry ids and names only, never a key, passphrase or header.

export const SERVER_ID = 'machine_images.server_id';
export const WORKFLOW_ID = 'temporal.workflow_id';
export const REGION = 'cloud.region';

const WORK_SPAN = createContextKey('machine_images.work_span');
const tracer = () => trace.getTracer('machine-images');

/** Runs `fn` with `span` as the span that the calls made inside it report their server to. */
export function withWorkSpan<T>(span: Span, fn: () => T): T {
  return context.with(context.active().setValue(WORK_SPAN, span), fn);
}

/** The enclosing work span (an activity's) learns the server a call inside it was about. */
export function noteServer(serverId: string): void {
  (context.active().getValue(WORK_SPAN) as Span | undefined)?.setAttribute(SERVER_ID, serverId);
}

/** `fn` in a span of its own, the active one while it runs; a failure ends it with the error's message. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
