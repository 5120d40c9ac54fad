import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A directory removed by `cleanup()`. */
export async function tempDir(prefix: string) {
  const path = await mkdtemp(join(tmpdir(), `strata-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
