import { readFile } from "node:fs/promises";
import type { FastifyPluginAsync } from "fastify";
import { CONSOLE_CONFIG_FILE, type ConsoleConfig } from "../../../api/indexer/index.ts";
import { staticFile } from "../../../service/static-files.ts";
import type { IndexerDeps } from "../deps.ts";

/** Where the console is served. */
export const CONSOLE_PREFIX = "/console/";

/**
 * The web console (console/dist) at /console/, when configured, with its config.json: the
 * indexer is the origin it is served from, the JSON-RPC endpoint and the deployment are the
 * indexer's own. Not in the OpenAPI document (these are pages, not the API).
 */
export function consoleRoutes(deps: IndexerDeps): FastifyPluginAsync {
  return async (app) => {
    const settings = deps.config.console;
    if (!settings) return;
    const config = async (): Promise<ConsoleConfig> => ({
      indexerUrl: null,
      rpcUrl: settings.rpcUrl === undefined ? deps.config.rpcUrl : settings.rpcUrl,
      deployment: JSON.parse(await readFile(deps.config.deploymentFile, "utf8")) as unknown,
    });
    app.get("/console", { schema: { hide: true } }, async (_request, reply) =>
      reply.redirect(CONSOLE_PREFIX, 302),
    );
    app.get(`${CONSOLE_PREFIX}${CONSOLE_CONFIG_FILE}`, { schema: { hide: true } }, async (_request, reply) =>
      reply.header("cache-control", "no-cache").send(await config()),
    );
    app.get(`${CONSOLE_PREFIX}*`, { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.slice(CONSOLE_PREFIX.length);
      const file = await staticFile(settings.dir, path);
      if (!file) {
        const built = await staticFile(settings.dir, "");
        return reply
          .code(404)
          .type("text/plain; charset=utf-8")
          .send(built ? `no ${path} in the console` : `the console is not built: npm run build:console`);
      }
      return reply.type(file.type).header("cache-control", file.cacheControl).send(file.body);
    });
  };
}
