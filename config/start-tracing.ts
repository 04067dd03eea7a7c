import { startTracing, TracingSettingsError } from './tracing';

// Imported first by each entry point (api/server.ts, worker/main.ts, scripts/start.ts): the SDK patches node:http and
// the AWS SDK as they are loaded, so it starts before the imports that load them. Nothing happens unless OTEL_*
// variables ask for traces.
try {
  startTracing();
} catch (err) {
  if (!(err instanceof TracingSettingsError)) throw err;
  console.error(err.message);
  process.exit(1);
}
