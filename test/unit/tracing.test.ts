import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withWorkSpan } from '../../config/spans';
import { checkTracingSettings, tracingRequested } from '../../config/tracing';
import { withStepSpans } from '../../guest/step-spans';
import type { GuestExecutor } from '../../guest/executor';
import { withCallSpans } from '../../providers/call-spans';
import type { CloudProvider } from '../../providers/cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';

describe('tracing settings', () => {
  it('is off unless a variable says where traces go', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'mi', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
  });

  it('names a variable whose value the SDK would pass over', () => {
    expect(() => checkTracingSettings({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/^OTEL_TRACES_EXPORTER: "jaeger"/);
    expect(() => checkTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'json' })).toThrow(
      /^OTEL_EXPORTER_OTLP_PROTOCOL: "json" is not one of http\/protobuf, http\/json, grpc/,
    );
    expect(() =>
      checkTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).not.toThrow();
  });
});

describe('spans around cloud calls and guest steps', () => {
  const exporter = new tracing.InMemorySpanExporter();
  beforeAll(() => {
    new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] }).register();
  });
  afterEach(() => exporter.reset());
  const spans = () => exporter.getFinishedSpans();
  const server = { id: 'i-0abc', state: 'pending' };

  const cloud = {
    name: 'sim',
    launchServer: async () => server,
    attachVolume: async () => ({ id: 'vol-1' }),
    createKeypair: async () => ({ name: 'k', privateKeyPem: '-----BEGIN RSA PRIVATE KEY-----' }),
    getServer: async () => {
      throw new ProviderError('NotFound', 'server i-gone does not exist');
    },
  } as unknown as CloudProvider;

  it('names each call after its action, with its region and server, and tells the activity its server', async () => {
    const traced = withCallSpans(cloud);
    await trace.getTracer('test').startActiveSpan('RunActivity:provisionServer', (activity) =>
      withWorkSpan(activity, async () => {
        await traced.launchServer('sim-east-1', { imageId: 'img-1', productId: 'p', name: 'web-1' } as never);
        activity.end();
      }),
    );
    await traced.attachVolume('sim-east-1', 'vol-1', 'i-0def', '/dev/sdf');
    const [launched, activity, attached] = spans();
    expect(launched).toMatchObject({ name: 'cloud.launchServer', kind: SpanKind.CLIENT });
    expect(launched!.attributes).toEqual({
      'machine_images.provider': 'sim',
      'machine_images.action': 'launchServer',
      'cloud.region': 'sim-east-1',
      'machine_images.server_id': 'i-0abc',
    });
    expect(launched!.parentSpanId).toBe(activity!.spanContext().spanId);
    expect(activity!.attributes['machine_images.server_id']).toBe('i-0abc');
    expect(attached).toMatchObject({
      name: 'cloud.attachVolume',
      attributes: { 'machine_images.server_id': 'i-0def' },
    });
  });

  it('records a failed call as an error, and neither arguments nor answers', async () => {
    const traced = withCallSpans(cloud);
    await expect(traced.getServer('sim-east-1', 'i-gone')).rejects.toThrow(/does not exist/);
    await traced.createKeypair('sim-east-1', 'k');
    const [failed, created] = spans();
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'server i-gone does not exist' });
    expect(JSON.stringify(created!.attributes)).not.toMatch(/PRIVATE KEY/);
    expect(created!.attributes).toEqual({
      'machine_images.provider': 'sim',
      'machine_images.action': 'createKeypair',
      'cloud.region': 'sim-east-1',
    });
  });

  it('names each guest step, without its secret', async () => {
    const guest = withStepSpans({
      needsProvisioningKey: false,
      devicePath: (id) => `/dev/disk/by-id/virtio-${id}`,
      run: async () => ({ device: '/dev/mapper/data' }),
      probe: async () => ({ reachable: true, detail: 'ok' }),
    } satisfies GuestExecutor);
    const target = { region: 'sim-east-1', serverId: 'i-0abc', volumeIds: ['vol-1'] };
    const plan = {
      disks: [],
      raid: 'none',
      filesystem: 'ext4',
      mountPoint: '/data',
      encrypt: true,
      blockEncryption: false,
    };
    await guest.run(target, { name: 'encrypt', plan, devices: [] } as never, 'a passphrase');
    expect(guest.devicePath('vol-1')).toBe('/dev/disk/by-id/virtio-vol-1');
    const [step] = spans();
    expect(step).toMatchObject({
      name: 'guest.encrypt',
      attributes: { 'machine_images.server_id': 'i-0abc', 'machine_images.guest_step': 'encrypt' },
    });
    expect(JSON.stringify(step!.attributes)).not.toContain('a passphrase');
  });
});
