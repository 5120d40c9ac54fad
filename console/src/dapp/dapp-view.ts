// The dApp view: connect an EIP-1193 wallet, upload with progress, list your blobs, download them
// verified, extend and delete. The SDK runs in the page (bundled from its browser sources); every
// signature and transaction is the wallet's.
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  type EIP1193Provider,
  getAddress,
  http,
  type PublicClient,
} from "viem";
import type { IndexedBlob } from "../../../api/indexer/indexer-schemas.ts";
import { strataChain } from "../../../protocol/chain.ts";
import { type Deployment, parseDeployment } from "../../../protocol/deployment.ts";
// the SDK's entry (its package's `browser` export is the same modules, built: see vite.config.ts)
import { StrataClient, type UploadProgress } from "../../../sdk/index.ts";
import { field, h, replace, section, table } from "../dom.ts";
import { bytes, short, tokens } from "../format.ts";
import { BLOB_COLUMNS, blobRow } from "../network/blobs.ts";
import type { View, ViewContext } from "../view.ts";

type Wallet = EIP1193Provider & {
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
};

/** Where each upload stage sits on the one progress bar (start, end), in percent. */
const STAGES: Record<UploadProgress["stage"], [number, number, string]> = {
  hashing: [0, 35, "Hashing (CID and commitment, in this page)"],
  paying: [35, 40, "Approving the payment in your wallet"],
  registering: [40, 45, "Registering the blob on chain"],
  uploading: [45, 95, "Sending to the storage nodes"],
  certifying: [95, 99, "Certifying on chain"],
  done: [100, 100, "Certified"],
};

export function dappView(ctx: ViewContext): View {
  const { settings, indexer, announce } = ctx;
  const wallet = (window as unknown as { ethereum?: Wallet }).ethereum;
  let deployment: Deployment | undefined;
  let deploymentProblem: string | undefined;
  try {
    if (settings.deployment === null)
      throw new Error("the server that serves this console gave no deployment");
    deployment = parseDeployment(JSON.stringify(settings.deployment));
  } catch (error) {
    deploymentProblem = (error as Error).message;
  }
  let client: StrataClient | undefined;
  let account: Address | undefined;
  let busy = false;
  let stopped = false;

  const walletInfo = h("div", { id: "wallet-info" });
  const connect = h("button", { type: "button", id: "connect" }, "Connect wallet");
  const fileInput = h("input", { type: "file", name: "file", required: true });
  const replicas = h("input", {
    type: "number",
    name: "replicas",
    min: 1,
    max: 16,
    value: 3,
    required: true,
  });
  const epochs = h("input", { type: "number", name: "epochs", min: 1, max: 1000, value: 1, required: true });
  const tier = h(
    "select",
    { name: "tier" },
    h("option", { value: "hot" }, "hot (whole replicas)"),
    h("option", { value: "cold" }, "cold (erasure-coded shards)"),
  );
  const tags = h("input", {
    type: "text",
    name: "tags",
    autocomplete: "off",
    placeholder: "holiday, photos",
  });
  const progress = h("progress", {
    id: "upload-progress",
    max: 100,
    value: 0,
    "aria-labelledby": "upload-stage",
  });
  const stage = h("p", { id: "upload-stage", role: "status" }, "No upload yet.");
  const result = h("div", { id: "upload-result" });
  const submit = h("button", { type: "submit", id: "upload-button", disabled: true }, "Upload");
  const cancel = h("button", { type: "button", id: "upload-cancel", disabled: true }, "Cancel");
  const mine = h("div", { id: "my-blobs" }, h("p", {}, "Connect a wallet to see your blobs."));
  let controller: AbortController | undefined;

  const form = h(
    "form",
    { id: "upload-form", "aria-labelledby": "upload-title", onsubmit: (e: Event) => void onUpload(e) },
    field("File to upload", fileInput),
    h(
      "div",
      { class: "row" },
      field("Replicas", replicas, "Nodes that keep it (cold: shard holders)"),
      field("Epochs", epochs, "How long it is paid for"),
      field("Tier", tier),
      field("Tags", tags, "Comma-separated"),
    ),
    h("div", { class: "actions" }, submit, cancel),
    h("div", { class: "progress" }, progress, stage),
    result,
  );

  const element = h(
    "div",
    { class: "view" },
    h("h1", { id: "view-title", tabindex: -1 }, "My blobs"),
    section(
      "wallet",
      "Wallet",
      wallet
        ? h("p", {}, "Uploads, extensions and deletions are signed in your wallet; nothing leaves it.")
        : h(
            "p",
            { class: "warning" },
            "No wallet found in this browser (an EIP-1193 provider, window.ethereum). The network view works without one.",
          ),
      deploymentProblem
        ? h("p", { class: "warning" }, `The dApp needs a deployment: ${deploymentProblem}.`)
        : null,
      wallet && deployment ? connect : null,
      walletInfo,
    ),
    section("upload", "Upload a file", form),
    section("mine", "Your blobs", mine),
  );

  const onAccounts = (accounts: unknown) => {
    const [first] = accounts as string[];
    if (first && account && getAddress(first) === account) return;
    if (!first) {
      account = undefined;
      client = undefined;
      submit.disabled = true;
      replace(walletInfo, h("p", {}, "Disconnected."));
      return;
    }
    void connectAs(getAddress(first));
  };
  const onChain = () => void (account ? connectAs(account) : Promise.resolve());

  async function connectAs(address: Address): Promise<void> {
    if (!wallet || !deployment) return;
    const chain = strataChain(deployment.chainId, settings.rpcUrl ?? "");
    const transport = custom(wallet);
    const publicClient = (
      settings.rpcUrl
        ? createPublicClient({ chain, transport: http(settings.rpcUrl), pollingInterval: 250 })
        : createPublicClient({ chain, transport, pollingInterval: 500 })
    ) as PublicClient;
    account = address;
    client = new StrataClient({
      deployment,
      publicClient,
      signer: createWalletClient({ account: address, chain, transport }),
      indexerUrl: settings.indexerUrl,
      pollingIntervalMs: 250,
    });
    const chainId = Number.parseInt((await wallet.request({ method: "eth_chainId" })) as string, 16);
    const wrongChain = chainId !== deployment.chainId;
    const balance = await client.balance(address).catch(() => undefined);
    replace(
      walletInfo,
      h(
        "dl",
        { class: "summary" },
        h("dt", {}, "Account"),
        h("dd", { id: "account" }, h("code", {}, address)),
        h("dt", {}, "Chain"),
        h("dd", {}, wrongChain ? `${chainId}: not this network's (${deployment.chainId})` : String(chainId)),
        h("dt", {}, "Token balance"),
        h("dd", { id: "balance" }, balance === undefined ? "–" : tokens(balance)),
      ),
      wrongChain
        ? h(
            "button",
            { type: "button", onclick: () => void switchChain() },
            `Switch to chain ${deployment.chainId}`,
          )
        : null,
    );
    submit.disabled = wrongChain || busy;
    connect.textContent = "Connected";
    connect.disabled = true;
    announce(`Connected as ${short(address)}.`);
    await loadMine();
  }

  async function switchChain(): Promise<void> {
    if (!wallet || !deployment) return;
    await wallet.request({
      method: "wallet_switchEthereumChain",
      params: [{ chainId: `0x${deployment.chainId.toString(16)}` }],
    });
  }

  async function onConnect(): Promise<void> {
    if (!wallet) return;
    try {
      const accounts = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
      if (!accounts[0]) throw new Error("the wallet gave no account");
      await connectAs(getAddress(accounts[0]));
    } catch (error) {
      announce(`Could not connect: ${(error as Error).message}`);
    }
  }

  function showProgress(p: UploadProgress): void {
    const [from, to, label] = STAGES[p.stage];
    const share = p.total > 0 ? Math.min(1, p.bytes / p.total) : 0;
    progress.value = from + (to - from) * share;
    const amount =
      p.stage === "hashing" || p.stage === "uploading" ? `: ${bytes(p.bytes)} of ${bytes(p.total)}` : "";
    stage.textContent = `${label}${amount}`;
    stage.dataset.stage = p.stage;
  }

  async function onUpload(event: Event): Promise<void> {
    event.preventDefault();
    const file = fileInput.files?.[0];
    if (!client || !file || busy) return;
    busy = true;
    submit.disabled = true;
    cancel.disabled = false;
    controller = new AbortController();
    replace(result);
    progress.value = 0;
    const started = performance.now();
    try {
      const uploaded = await client.upload(file, {
        tier: tier.value as "hot" | "cold",
        replicas: Number(replicas.value),
        epochs: Number(epochs.value),
        name: file.name,
        mimeType: file.type || "application/octet-stream",
        tags: tags.value
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
        signal: controller.signal,
        onProgress: showProgress,
      });
      const elapsed = performance.now() - started;
      progress.value = 100;
      stage.textContent = `Certified in ${(elapsed / 1000).toFixed(1)} s`;
      stage.dataset.stage = "done";
      replace(
        result,
        h(
          "dl",
          {
            class: "summary",
            id: "upload-done",
            "data-blob-id": uploaded.blobId,
            "data-ms": Math.round(elapsed),
          },
          h("dt", {}, "Blob"),
          h("dd", {}, h("code", {}, uploaded.blobId)),
          h("dt", {}, "CID"),
          h("dd", {}, h("code", {}, uploaded.cid)),
          h("dt", {}, "Nodes"),
          h("dd", {}, uploaded.nodes.map((n) => `node ${n.nodeId}`).join(", ")),
          h("dt", {}, "Size"),
          h("dd", {}, bytes(uploaded.size)),
        ),
      );
      announce(`${file.name} is certified on ${uploaded.nodes.length} nodes.`);
      await loadMine((blobs) => blobs.some((b) => b.blobId === uploaded.blobId && b.status === "certified"));
    } catch (error) {
      stage.textContent = `Upload failed: ${(error as Error).message}`;
      stage.dataset.stage = "failed";
      announce(stage.textContent);
    } finally {
      busy = false;
      submit.disabled = !client;
      cancel.disabled = true;
    }
  }
  cancel.addEventListener("click", () => controller?.abort(new Error("cancelled")));

  /**
   * Your blobs, newest first; with `ready`, waits (ten seconds at most) for the indexer to show
   * what a transaction just did.
   */
  async function loadMine(ready?: (blobs: IndexedBlob[]) => boolean): Promise<void> {
    if (!account) return;
    let blobs: IndexedBlob[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      ({ blobs } = await indexer.blobs({ owner: account, limit: 50 }));
      if (!ready || ready(blobs) || stopped) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    replace(
      mine,
      table(
        `Blobs of ${short(account)}, newest first`,
        [...BLOB_COLUMNS.filter((c) => c !== "Owner"), "Actions"],
        blobs.map((blob) => [...blobRow(blob, indexer.url).slice(0, -1), actions(blob)]),
        {
          id: "my-blobs-table",
          rowAttributes: (i) => ({ "data-blob-id": blobs[i]?.blobId }),
          empty: "You have no blob yet.",
        },
      ),
    );
  }

  function actions(blob: IndexedBlob): HTMLElement {
    const label = blob.name || short(blob.blobId);
    const live = blob.status === "certified";
    const download = h(
      "button",
      { type: "button", "data-action": "download", "aria-label": `Download ${label}`, disabled: !live },
      "Download",
    );
    const extend = h(
      "button",
      {
        type: "button",
        "data-action": "extend",
        "aria-label": `Extend ${label} by one epoch`,
        disabled: !live,
      },
      "Extend",
    );
    const remove = h(
      "button",
      { type: "button", "data-action": "delete", "aria-label": `Delete ${label}`, disabled: !live },
      "Delete",
    );
    download.addEventListener("click", () => void act(download, () => downloadBlob(blob)));
    extend.addEventListener(
      "click",
      () =>
        void act(extend, async () => {
          await client?.extend(blob.blobId as `0x${string}`, 1);
          announce(`${label} is paid for one more epoch.`);
          await loadMine((blobs) => blobs.some((b) => b.blobId === blob.blobId && b.epochs > blob.epochs));
        }),
    );
    // deleting asks twice: the first press arms the button for five seconds
    let armed: ReturnType<typeof setTimeout> | undefined;
    remove.addEventListener("click", () => {
      if (armed === undefined) {
        remove.textContent = "Confirm delete";
        remove.setAttribute("aria-label", `Confirm: delete ${label}`);
        announce(`Press again to delete ${label}; the rest of its escrow is refunded.`);
        armed = setTimeout(() => {
          armed = undefined;
          remove.textContent = "Delete";
          remove.setAttribute("aria-label", `Delete ${label}`);
        }, 5000);
        return;
      }
      clearTimeout(armed);
      armed = undefined;
      void act(remove, async () => {
        await client?.delete(blob.blobId as `0x${string}`);
        announce(`${label} is deleted.`);
        await loadMine((blobs) => blobs.some((b) => b.blobId === blob.blobId && b.status !== "certified"));
      });
    });
    return h("div", { class: "row-actions" }, download, extend, remove);
  }

  async function act(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await work();
    } catch (error) {
      announce(`${button.textContent} failed: ${(error as Error).message}`);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  /** Reads the blob through the SDK (every block checked against its CID) and saves it. */
  async function downloadBlob(blob: IndexedBlob): Promise<void> {
    if (!client) return;
    announce(`Downloading ${blob.name || blob.cid}…`);
    const data = await client.get(blob.cid);
    const url = URL.createObjectURL(
      new Blob([data as Uint8Array<ArrayBuffer>], { type: blob.mimeType || "application/octet-stream" }),
    );
    const link = h("a", { href: url, download: blob.name || blob.cid, hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    announce(`${blob.name || blob.cid}: ${bytes(data.length)} downloaded, every block verified.`);
  }

  return {
    element,
    title: "My blobs",
    async start() {
      connect.addEventListener("click", () => void onConnect());
      wallet?.on?.("accountsChanged", onAccounts);
      wallet?.on?.("chainChanged", onChain);
      // already connected (the wallet remembers this site): no prompt
      if (wallet && deployment) {
        const accounts = (await wallet.request({ method: "eth_accounts" }).catch(() => [])) as string[];
        if (accounts[0]) await connectAs(getAddress(accounts[0]));
      }
    },
    stop() {
      stopped = true;
      controller?.abort(new Error("left the page"));
      wallet?.removeListener?.("accountsChanged", onAccounts);
      wallet?.removeListener?.("chainChanged", onChain);
    },
  };
}
