// The Strata console: the network as the indexer sees it (no wallet needed) and a dApp page
// (a wallet's uploads, downloads, extensions and deletions). Two hash routes: #/network, #/dapp.
import { createIndexerClient } from "../../api/indexer/indexer-client.ts";
import { loadSettings } from "./config.ts";
import { h, replace } from "./dom.ts";
import { networkView } from "./network/network-view.ts";
import "./styles.css";
import type { View, ViewContext } from "./view.ts";

const ROUTES = {
  "#/network": { label: "Network", load: async (ctx: ViewContext) => networkView(ctx) },
  // the dApp page brings the SDK and viem: loaded when first opened
  "#/dapp": {
    label: "My blobs",
    load: async (ctx: ViewContext) => (await import("./dapp/dapp-view.ts")).dappView(ctx),
  },
} as const;
type Route = keyof typeof ROUTES;

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("views") as HTMLElement;
const live = document.getElementById("live") as HTMLElement;
const indexerLink = document.getElementById("indexer-link") as HTMLAnchorElement;

/** Screen readers hear it; everyone sees it in the status line. */
function announce(text: string): void {
  live.textContent = text;
}

performance.mark("strata-start");
const settings = await loadSettings();
performance.mark("strata-settings");
const indexer = createIndexerClient({ baseUrl: settings.indexerUrl });
const refresh = Number(new URLSearchParams(location.search).get("refresh"));
const ctx: ViewContext = {
  settings,
  indexer,
  announce,
  refreshMs: Number.isFinite(refresh) && refresh >= 500 ? refresh : 5_000,
};
indexerLink.href = `${settings.indexerUrl}/docs`;
indexerLink.textContent = settings.indexerUrl;

replace(
  nav,
  h(
    "ul",
    {},
    ...Object.entries(ROUTES).map(([hash, route]) =>
      h("li", {}, h("a", { href: hash, "data-route": hash }, route.label)),
    ),
  ),
);

let current: View | undefined;
let showing = 0;

async function show(): Promise<void> {
  const hash = (location.hash in ROUTES ? location.hash : "#/network") as Route;
  const mine = ++showing;
  current?.stop();
  current = undefined;
  for (const link of Array.from(nav.querySelectorAll("a"))) {
    if (link.dataset.route === hash) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  delete document.body.dataset.ready;
  replace(main, h("p", { role: "status" }, "Loading…"));
  try {
    const view = await ROUTES[hash].load(ctx);
    if (mine !== showing) return view.stop();
    current = view;
    document.title = `${view.title} · Strata console`;
    replace(main, view.element);
    await view.start();
    // tests and the benchmark wait for this: the view's data is on screen and it takes input
    if (mine === showing) {
      document.body.dataset.ready = hash.slice(2);
      performance.mark(`strata-ready-${hash.slice(2)}`);
    }
  } catch (error) {
    replace(main, h("p", { class: "warning", role: "alert" }, `Could not load: ${(error as Error).message}`));
  }
}

// the skip link lands on the content without a history entry (the hash is the route)
document.querySelector(".skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

let navigated = false;
window.addEventListener("hashchange", () => {
  // an in-page link (the skip link's #main) is not a route
  if (location.hash && !(location.hash in ROUTES)) return;
  navigated = true;
  void show().then(() => {
    // a keyboard user lands on the new page's heading
    if (navigated) document.getElementById("view-title")?.focus();
  });
});
await show();
