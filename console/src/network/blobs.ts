import type { IndexerClient } from "../../../api/indexer/indexer-client.ts";
import type { BlobQuery, IndexedBlob, IndexedBlobStatus } from "../../../api/indexer/indexer-schemas.ts";
import { field, h, replace, section, table } from "../dom.ts";
import { bytes, short } from "../format.ts";

const STATUSES: IndexedBlobStatus[] = [
  "registered",
  "certified",
  "deleted",
  "expired",
  "reclaimed",
  "settled",
];
const PAGE = 25;

/** The columns of a blob listing; `actions` adds a last column of buttons. */
export function blobRow(blob: IndexedBlob, indexerUrl: string): (Node | string)[] {
  return [
    h("a", { href: `${indexerUrl}/blobs/${blob.blobId}`, title: blob.blobId }, blob.name || "(unnamed)"),
    h("code", { title: blob.cid }, short(blob.cid, 10)),
    bytes(blob.size),
    blob.tier,
    h("span", { class: `badge badge-${blob.status}`, "data-col": "status" }, blob.status),
    `${blob.liveHolders} / ${blob.targetHolders}`,
    blob.tags.join(", ") || "–",
    blob.mimeType || "–",
    h("code", { title: blob.owner }, short(blob.owner)),
  ];
}

export const BLOB_COLUMNS = [
  "Name",
  "CID",
  "Size",
  "Tier",
  "Status",
  "Holders",
  "Tags",
  "MIME type",
  "Owner",
];

/**
 * The blob browser: full-text search over names, tags and MIME types (GET /search), or the
 * listing filtered by tag, MIME type, status and tier (GET /blobs), a page at a time.
 */
export function blobsSection(
  indexer: IndexerClient,
  announce: (text: string) => void,
): {
  element: HTMLElement;
  load(): Promise<void>;
} {
  const q = h("input", { type: "search", name: "q", autocomplete: "off", placeholder: "holiday photo" });
  const tag = h("input", { type: "text", name: "tag", autocomplete: "off" });
  const mimeType = h("input", {
    type: "text",
    name: "mimeType",
    autocomplete: "off",
    placeholder: "image/png",
  });
  const status = h(
    "select",
    { name: "status" },
    h("option", { value: "" }, "any"),
    ...STATUSES.map((s) => h("option", { value: s }, s)),
  );
  const tier = h(
    "select",
    { name: "tier" },
    h("option", { value: "" }, "any"),
    h("option", { value: "hot" }, "hot"),
    h("option", { value: "cold" }, "cold"),
  );
  const results = h("div", { id: "blobs-results" });
  const previous = h("button", { type: "button", disabled: true }, "Previous page");
  const next = h("button", { type: "button", disabled: true }, "Next page");
  const counter = h("p", { class: "muted", id: "blobs-count" });
  // the cursors of the pages shown so far: cursors[i] is the `after` of page i
  let cursors: (string | undefined)[] = [undefined];
  let page = 0;
  let nextCursor: string | null = null;

  const filters = (): BlobQuery => ({
    ...(tag.value.trim() ? { tag: tag.value.trim() } : {}),
    ...(mimeType.value.trim() ? { mimeType: mimeType.value.trim() } : {}),
    ...(status.value ? { status: status.value as IndexedBlobStatus } : {}),
    ...(tier.value ? { tier: tier.value as "hot" | "cold" } : {}),
  });

  async function load(): Promise<void> {
    const words = q.value.trim();
    let blobs: IndexedBlob[];
    if (words) {
      // search ranks by relevance, one page; the other filters narrow its results here
      const wanted = filters();
      const { results: found } = await indexer.search(words, { limit: 100 });
      blobs = found.filter(
        (b) =>
          (!wanted.tag || b.tags.includes(wanted.tag)) &&
          (!wanted.mimeType || b.mimeType === wanted.mimeType) &&
          (!wanted.status || b.status === wanted.status) &&
          (!wanted.tier || b.tier === wanted.tier),
      );
      nextCursor = null;
    } else {
      const after = cursors[page];
      const reply = await indexer.blobs({ ...filters(), limit: PAGE, ...(after ? { after } : {}) });
      blobs = reply.blobs;
      nextCursor = reply.next;
    }
    replace(
      results,
      table(
        words ? `Blobs matching “${words}”` : "Blobs, newest first",
        BLOB_COLUMNS,
        blobs.map((blob) => blobRow(blob, indexer.url)),
        { id: "blobs-table", empty: "No blob matches." },
      ),
    );
    previous.disabled = words !== "" || page === 0;
    next.disabled = nextCursor === null;
    const first = words ? 1 : page * PAGE + 1;
    counter.textContent =
      blobs.length === 0
        ? "No blob matches."
        : `Showing ${first}–${first + blobs.length - 1}${words ? " (best matches first)" : ""}.`;
    announce(counter.textContent);
  }

  const form = h(
    "form",
    {
      role: "search",
      "aria-label": "Blobs",
      class: "filters",
      onsubmit: (event: Event) => {
        event.preventDefault();
        cursors = [undefined];
        page = 0;
        void load().catch((error: Error) => announce(`Search failed: ${error.message}`));
      },
    },
    field("Name, tag or MIME type", q, "Words match as prefixes"),
    field("Tag", tag),
    field("MIME type", mimeType),
    field("Status", status),
    field("Tier", tier),
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Search")),
  );
  previous.addEventListener("click", () => {
    if (page === 0) return;
    page--;
    void load().catch((error: Error) => announce(`Loading failed: ${error.message}`));
  });
  next.addEventListener("click", () => {
    if (nextCursor === null) return;
    cursors[page + 1] = nextCursor;
    page++;
    void load().catch((error: Error) => announce(`Loading failed: ${error.message}`));
  });
  const element = section(
    "blobs",
    "Blobs",
    form,
    counter,
    results,
    h("nav", { "aria-label": "Blob pages", class: "pager" }, previous, next),
  );
  return { element, load };
}
