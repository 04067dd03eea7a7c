import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { CloudProvider } from '../providers/cloud-provider';
import type { KeyStore } from '../secrets/key-store';
import { registerErrorHandling } from './errors';
import { ImageCatalog } from './image-catalog';
import { LaunchClient } from './launch-client';
import { catalogRoutes } from './routes/catalog';
import { familyRoutes } from './routes/families';
import { imageOperationRoutes } from './routes/image-operations';
import { imageRoutes } from './routes/images';
import { networkRoutes } from './routes/network';
import { operationRoutes } from './routes/operations';
import { serverRoutes } from './routes/servers';
import { healthRoutes } from './routes/health';
import { launchRoutes } from './routes/launches';

export interface AppDeps {
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'PROVIDER'>;
  client: Client;
  provider: CloudProvider;
  keys: KeyStore;
  logger: Logger;
  /** The Temporal Web UI, for links to workflows; absent when unknown. */
  webUiUrl?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps & { launches: LaunchClient; images: ImageCatalog };
  }
}

/** The whole HTTP API as one app; server.ts alone listens, tests call inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', {
    ...deps,
    launches: new LaunchClient(deps.client, deps.config.TEMPORAL_TASK_QUEUE, deps.config.PROVIDER, deps.webUiUrl),
    images: new ImageCatalog(deps.provider),
  });
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Machine images service', version: '0.1.0', description: 'Machine images and durable server launches on Temporal.' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthRoutes);
  await app.register(launchRoutes);
  await app.register(catalogRoutes);
  await app.register(imageRoutes);
  await app.register(imageOperationRoutes);
  await app.register(serverRoutes);
  await app.register(networkRoutes);
  await app.register(operationRoutes);
  await app.register(familyRoutes);
  return app;
}
