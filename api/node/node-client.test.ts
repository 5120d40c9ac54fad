import type { AddressInfo } from "node:net";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, expect, test } from "vitest";
import { ServiceError } from "../service-error.ts";
import { createNodeClient } from "./node-client.ts";
import { NodeErrorBody } from "./node-error-codes.ts";
import { NodePath } from "./node-paths.ts";
import { type MigrateBody, type MigrateReply, NodeSchema } from "./node-schemas.ts";

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const blobId = `0x${"ab".repeat(32)}`;

/** A node stand-in whose routes take the api's schemas; listening on loopback. */
async function serve(migrate: (body: MigrateBody) => MigrateReply): Promise<string> {
  const server = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  server.addSchema(NodeErrorBody);
  server.setErrorHandler((error: { statusCode?: number; code: string; message: string }, _request, reply) =>
    reply.code(error.statusCode ?? 500).send({ error: { code: error.code, message: error.message } }),
  );
  server.post(NodePath.migrate, { schema: NodeSchema.migrate }, async (request) => migrate(request.body));
  app = server;
  await server.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;
}

test("postMigrate sends the body and returns the typed reply", async () => {
  const url = await serve((body) => ({ blobId: body.blobId, to: body.to, cid: "bafy", size: 5 }));
  const node = createNodeClient({ baseUrl: url, nodeId: 7 });
  await expect(node.postMigrate({ blobId, to: "hot" })).resolves.toEqual({
    blobId,
    to: "hot",
    cid: "bafy",
    size: 5,
  });
});

test("a refusal is a ServiceError with the node's id, status and code", async () => {
  const url = await serve(() => {
    throw Object.assign(new Error(`cold blob ${blobId} is not stored here`), {
      statusCode: 404,
      code: "NODE_ERR_NOT_FOUND",
    });
  });
  const node = createNodeClient({ baseUrl: url, nodeId: 7 });
  const error = await node.postMigrate({ blobId, to: "hot" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceError);
  expect(error).toMatchObject({ service: "node", nodeId: 7, status: 404, code: "NODE_ERR_NOT_FOUND" });
});

test("a body the schema refuses comes back as the validation error, and an unreachable node as status 0", async () => {
  const url = await serve((body) => ({ blobId: body.blobId, to: body.to, cid: "bafy" }));
  const node = createNodeClient({ baseUrl: url, nodeId: 1 });
  const invalid = await node.postMigrate({ blobId: "0x01", to: "hot" }).catch((e: unknown) => e);
  expect(invalid).toMatchObject({ status: 400 });
  await app?.close();
  app = undefined;
  const gone = await node.getStats().catch((e: unknown) => e);
  expect(gone).toMatchObject({ status: 0, code: "API_ERR_UNREACHABLE", nodeId: 1 });
});
