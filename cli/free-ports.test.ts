import { createServer } from "node:net";
import { expect, test } from "vitest";
import { requireFreePorts } from "./free-ports.ts";

test("a taken port is refused before the service starts, naming the setting", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await expect(
      requireFreePorts([{ host: "127.0.0.1", port, setting: "http.port in node.json" }]),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        new RegExp(`^port ${port} \\(http.port in node.json\\) is in use \\(EADDRINUSE\\)`),
      ),
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  await expect(requireFreePorts([{ host: "127.0.0.1", port, setting: "x" }])).resolves.toBeUndefined();
});
