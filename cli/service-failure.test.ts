import { describe, expect, test } from "vitest";
import { describeServiceFailure } from "./service-failure.ts";

const setting = { rpcUrl: "http://127.0.0.1:8545", config: "/data/node.json" };

describe("a service's fatal error as one line", () => {
  test("a port in use, from the error's fields or from libp2p's text", () => {
    const fastify = Object.assign(new Error("listen EADDRINUSE: address already in use 0.0.0.0:9100"), {
      code: "EADDRINUSE",
      address: "0.0.0.0",
      port: 9100,
    });
    expect(describeServiceFailure(fastify, setting)).toBe(
      "0.0.0.0:9100 is in use (EADDRINUSE): stop what listens there, or choose a free port in /data/node.json",
    );
    const libp2p = new Error(
      "Some configured addresses failed to be listened on: /ip4/0.0.0.0/tcp/4001: Error: listen EADDRINUSE: address already in use 0.0.0.0:4001\n at Server",
    );
    expect(describeServiceFailure(libp2p, setting)).toMatch(/^0.0.0.0:4001 is in use \(EADDRINUSE\)/);
  });

  test("the chain unreachable names rpcUrl in the configuration", () => {
    const error = Object.assign(new Error("the chain could not be reached"), {
      code: "NODE_ERR_CHAIN_UNAVAILABLE",
    });
    expect(describeServiceFailure(error, setting)).toBe(
      "cannot reach the chain at http://127.0.0.1:8545: start it, or fix rpcUrl in /data/node.json",
    );
  });

  test("anything else: its message and its cause's", () => {
    const error = new Error("cannot read the deployment file /x.json", {
      cause: new Error("ENOENT: no such file"),
    });
    expect(describeServiceFailure(error, setting)).toBe(
      "cannot read the deployment file /x.json: ENOENT: no such file",
    );
  });
});
