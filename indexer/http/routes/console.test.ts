import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IndexerDeps } from "../deps.ts";
import { consoleRoutes } from "./console.ts";

let dir: string;
const apps: FastifyInstance[] = [];

async function appWith(console: { dir: string; rpcUrl?: string | null } | undefined) {
  const app = Fastify();
  const deps = {
    config: { rpcUrl: "http://127.0.0.1:8545", deploymentFile: join(dir, "deployment.json"), console },
  } as unknown as IndexerDeps;
  await app.register(consoleRoutes(deps));
  apps.push(app);
  return app;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "console-routes-"));
  await mkdir(join(dir, "dist", "assets"), { recursive: true });
  await writeFile(join(dir, "dist", "index.html"), "<!doctype html><title>console</title>");
  await writeFile(join(dir, "dist", "assets", "index-0123abcd.js"), "export {};");
  await writeFile(join(dir, "deployment.json"), JSON.stringify({ chainId: 31337, contracts: {} }));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the console at /console/", () => {
  it("serves the build, its config.json (this origin, the chain, the deployment) and redirects /console", async () => {
    const app = await appWith({ dir: join(dir, "dist") });
    const index = await app.inject({ url: "/console/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.body).toContain("<title>console</title>");
    const asset = await app.inject({ url: "/console/assets/index-0123abcd.js" });
    expect(asset.headers["cache-control"]).toContain("immutable");
    const config = await app.inject({ url: "/console/config.json" });
    expect(config.json()).toEqual({
      indexerUrl: null,
      rpcUrl: "http://127.0.0.1:8545",
      deployment: { chainId: 31337, contracts: {} },
    });
    const bare = await app.inject({ url: "/console" });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe("/console/");
    expect((await app.inject({ url: "/console/../deployment.json" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/console/missing.js" })).body).toBe("no missing.js in the console");
  });

  it("tells pages to use no RPC when told so, says how to build a missing console, and is off unless configured", async () => {
    const unbuilt = await appWith({ dir: join(dir, "none"), rpcUrl: null });
    expect((await unbuilt.inject({ url: "/console/config.json" })).json().rpcUrl).toBeNull();
    const missing = await unbuilt.inject({ url: "/console/" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain("npm run build:console");
    const off = await appWith(undefined);
    expect((await off.inject({ url: "/console/" })).statusCode).toBe(404);
  });
});
