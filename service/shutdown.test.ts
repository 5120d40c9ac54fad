import { describe, expect, test, vi } from "vitest";
import { Shutdown } from "./shutdown.ts";

const silent = () => ({ error: vi.fn() });

describe("Shutdown", () => {
  test("stops the parts once, the last registered first", async () => {
    const order: string[] = [];
    const shutdown = new Shutdown(silent());
    for (const name of ["stores", "helia", "http"]) shutdown.register(name, () => order.push(name));
    await shutdown.stop();
    await shutdown.stop();
    expect(order).toEqual(["http", "helia", "stores"]);
  });

  test("a concurrent stop gets the same promise and waits for the same steps", async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const step = vi.fn(() => slow);
    const shutdown = new Shutdown(silent());
    shutdown.register("slow", step);
    const first = shutdown.stop();
    const second = shutdown.stop();
    expect(second).toBe(first);
    let settled = false;
    void second.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    release();
    await second;
    expect(step).toHaveBeenCalledTimes(1);
  });

  test("a failing step is logged and the others still run", async () => {
    const logger = silent();
    const order: string[] = [];
    const shutdown = new Shutdown(logger);
    shutdown.register("db", () => order.push("db"));
    shutdown.register("broken", async () => {
      throw new Error("close failed");
    });
    shutdown.register("http", () => order.push("http"));
    await expect(shutdown.stop()).resolves.toBeUndefined();
    expect(order).toEqual(["http", "db"]);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ step: "broken", err: expect.any(Error) }),
      "error while stopping",
    );
  });

  test("a part registered after stop is stopped at once", async () => {
    const shutdown = new Shutdown(silent());
    await shutdown.stop();
    const late = vi.fn();
    shutdown.register("late", late);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
