// The baseline of bench/node.ts's hot-read figure, in a process of its own as the node has: a
// bare Fastify route answering the same 4 KiB from memory.
//   node bench/bare-fastify.ts <file>     prints the URL it listens on
import { readFile } from "node:fs/promises";
import Fastify from "fastify";

const [file] = process.argv.slice(2);
if (!file) throw new Error("usage: bare-fastify.ts <file>");
const body = await readFile(file);
const app = Fastify();
app.get("/blob", async (_request, reply) =>
  reply.header("content-type", "application/octet-stream").send(body),
);
const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${url}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
