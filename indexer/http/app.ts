import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { documentRawBodies } from "../../api/error-envelope.ts";
import { IndexerErrorBody } from "../../api/indexer/index.ts";
import { DEFAULT_CORS_ORIGINS, registerCors } from "../../service/cors.ts";
import { installErrorHandler } from "../../service/error-handler.ts";
import type { Logger } from "../../service/logger.ts";
import { observeRequests } from "../../service/metrics.ts";
import { namesRoutes } from "../names/names-routes.ts";
import { vaultsRoutes } from "../vaults/vaults-routes.ts";
import type { IndexerDeps } from "./deps.ts";
import { blobRoutes } from "./routes/blobs.ts";
import { consoleRoutes } from "./routes/console.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { periodRoutes } from "./routes/periods.ts";
import { routingRoutes } from "./routes/routing.ts";
import { statusRoutes } from "./routes/status.ts";

/** The indexer's HTTP API as a Fastify app (not listening): routes, schemas, OpenAPI at /docs. */
export async function buildIndexerApp(deps: IndexerDeps, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger.child({ component: "http" }) as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(IndexerErrorBody);
  await app.register(swagger, {
    // bodies the routes read raw (uploads, IPNS records) are declared for OpenAPI only
    transform: documentRawBodies,
    openapi: {
      info: {
        title: "Strata indexer",
        version: "1",
        description:
          "Every Strata contract event mirrored into SQLite: routing, listings, search, node health",
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  installErrorHandler(app, { prefix: "INDEXER" });
  await registerCors(app, deps.config.http.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  observeRequests(app, deps.registry, "strata_indexer");
  app.addHook("onRequest", async () => {
    deps.metrics.requests += 1;
  });
  await app.register(routingRoutes(deps));
  await app.register(blobRoutes(deps));
  await app.register(nodeRoutes(deps));
  await app.register(periodRoutes(deps));
  await app.register(namesRoutes(deps));
  await app.register(vaultsRoutes(deps));
  await app.register(statusRoutes(deps));
  await app.register(consoleRoutes(deps));
  return app as unknown as FastifyInstance;
}
