import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { documentRawBodies } from "../../api/error-envelope.ts";
import { NodeErrorBody } from "../../api/node/index.ts";
import { DEFAULT_CORS_ORIGINS, registerCors } from "../../service/cors.ts";
import type { Logger } from "../../service/logger.ts";
import { observeRequests } from "../../service/metrics.ts";
import { ipnsRoutes } from "../names/ipns-routes.ts";
import { vaultRoutes } from "../vaults/vault-routes.ts";
import type { AppDeps } from "./deps.ts";
import { installErrorHandler } from "./error-handler.ts";
import { fileRoutes } from "./routes/file.ts";
import { ipfsRoutes } from "./routes/ipfs.ts";
import { migrateRoutes } from "./routes/migrate.ts";
import { shardRoutes } from "./routes/shards.ts";
import { statusRoutes } from "./routes/status.ts";
import { storeRoutes } from "./routes/store.ts";

/** The storage node's HTTP API as a Fastify app (not listening): routes, schemas, OpenAPI at /docs. */
export async function buildApp(deps: AppDeps, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger.child({ component: "http" }) as unknown as FastifyBaseLogger,
    // request lines are not logged: errors are, by the error handler, with their codes
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    requestTimeout: 0,
    keepAliveTimeout: 30_000,
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(NodeErrorBody);
  await app.register(swagger, {
    // bodies the routes read raw (uploads, IPNS records) are declared for OpenAPI only
    transform: documentRawBodies,
    openapi: {
      info: {
        title: "Strata storage node",
        version: "1",
        description: "Paid uploads, reads, a trustless gateway, the cold tier's shards, migrations, status",
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  installErrorHandler(app);
  await registerCors(app, deps.config.http.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  observeRequests(app, deps.registry, "strata_node");
  await app.register(storeRoutes(deps));
  await app.register(fileRoutes(deps));
  await app.register(ipfsRoutes(deps));
  await app.register(ipnsRoutes(deps));
  await app.register(statusRoutes(deps));
  await app.register(shardRoutes(deps));
  await app.register(migrateRoutes(deps));
  await app.register(vaultRoutes(deps));
  return app as unknown as FastifyInstance;
}
