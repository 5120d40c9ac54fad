import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

/** Content types of what a built web app holds. */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Cache-Control: content-hashed assets for a year, the rest revalidated each time. */
  cacheControl: string;
}

/**
 * The file of a built static site (a folder such as `console/dist`) that `path` (the URL path
 * below the site's prefix, still percent-encoded) names: `""` and folders give their
 * `index.html`. Undefined when there is none, or the path leaves the folder.
 */
export async function staticFile(dir: string, path: string): Promise<StaticFile | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(path.split("?")[0] ?? "");
  } catch {
    return undefined;
  }
  if (relative.includes("\0")) return undefined;
  const root = resolve(dir);
  let file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const body = await readFile(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const hashed =
      /[-.][A-Za-z0-9_-]{8,}\.(js|css|wasm|woff2|png|svg)$/.test(file) && file.includes(`${sep}assets${sep}`);
    return { body, type, cacheControl: hashed ? "public, max-age=31536000, immutable" : "no-cache" };
  } catch {
    return undefined;
  }
}
