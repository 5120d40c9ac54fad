import Fastify from "fastify";
import { describe, expect, test } from "vitest";
import { CodedError } from "./coded-error.ts";
import { installErrorHandler } from "./error-handler.ts";

class GoneError extends CodedError {
  override name = "GoneError";
  constructor() {
    super("TEST_ERR_GONE", 410, "it is gone");
  }
}

async function app() {
  const app = Fastify();
  installErrorHandler(app, {
    prefix: "TEST",
    translate: (error) => ((error as Error).message === "translate me" ? new GoneError() : undefined),
    decorate: (_error, reply) => {
      reply.header("x-decorated", "yes");
    },
  });
  app.get("/coded", async () => {
    throw new GoneError();
  });
  app.get("/translated", async () => {
    throw new Error("translate me");
  });
  app.get("/broken", async () => {
    throw new Error("secret detail");
  });
  app.get("/typed", { schema: { querystring: { type: "object", required: ["q"] } } }, async () => "ok");
  return app;
}

describe("installErrorHandler", () => {
  test("coded errors keep their code and status, translated ones too, decorated", async () => {
    const a = await app();
    for (const url of ["/coded", "/translated"]) {
      const reply = await a.inject({ url });
      expect(reply.statusCode).toBe(410);
      expect(reply.headers["x-decorated"]).toBe("yes");
      expect(reply.json()).toEqual({ error: { code: "TEST_ERR_GONE", message: "it is gone" } });
    }
  });

  test("schema failures, unknown routes and the rest get the prefix's codes", async () => {
    const a = await app();
    const invalid = await a.inject({ url: "/typed" });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe("TEST_ERR_VALIDATION");
    const missing = await a.inject({ url: "/nowhere" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("TEST_ERR_NO_ROUTE");
    const broken = await a.inject({ url: "/broken" });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ error: { code: "TEST_ERR_INTERNAL", message: "internal error" } });
  });
});
