// Headless Chromium for the console's tests and benchmark: Debian's chromium driven by
// playwright-core (which downloads no browser), and a test wallet injected into pages as an
// EIP-1193 provider (window.ethereum) whose keys stay in Node.
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { createWalletClient, type Hex, hexToBigInt, hexToNumber, http, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { strataChain } from "#protocol";

/** Where the browser is: STRATA_CHROMIUM, else Debian's (`apt-get install chromium`). */
export function chromiumPath(): string {
  const path = process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: apt-get install -y chromium, or set STRATA_CHROMIUM`);
  }
  return path;
}

/** Headless Chromium (no sandbox: these machines run tests as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

export interface TestWallet {
  address: Hex;
  /** The methods the page called, in order. */
  calls: string[];
}

type RpcReply = { result?: unknown; error?: { code: number; message: string; data?: unknown } };

/**
 * Injects a wallet into every page of `context`: `window.ethereum.request({ method, params })`
 * reaches Node, which signs with `key` (transactions, EIP-712 typed data, personal_sign) like a
 * wallet whose user approves everything, and forwards every other method to the chain's JSON-RPC
 * as it is (errors with their code and data, as a wallet's provider passes them on). Accounts are
 * given only once the page asked for them (`eth_requestAccounts`), as a real wallet does.
 */
export async function injectWallet(
  context: BrowserContext,
  options: { key: Hex; rpcUrl: string; chainId: number },
): Promise<TestWallet> {
  const account = privateKeyToAccount(options.key);
  const chain = strataChain(options.chainId, options.rpcUrl);
  const wallet = createWalletClient({ account, chain, transport: http(options.rpcUrl) });
  const state: TestWallet = { address: account.address, calls: [] };
  let connected = false;
  let id = 0;

  const forward = async (method: string, params: unknown[]): Promise<RpcReply> => {
    const response = await fetch(options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = (await response.json()) as RpcReply;
    return body.error ? { error: body.error } : { result: body.result };
  };

  const handle = async (method: string, params: unknown[]): Promise<unknown> => {
    switch (method) {
      case "eth_requestAccounts":
        connected = true;
        return [account.address];
      case "eth_accounts":
        return connected ? [account.address] : [];
      case "eth_chainId":
        return toHex(options.chainId);
      case "net_version":
        return String(options.chainId);
      case "wallet_switchEthereumChain":
        return null;
      case "eth_sendTransaction": {
        const tx = params[0] as { to: Hex; data?: Hex; value?: Hex; gas?: Hex; nonce?: Hex };
        return wallet.sendTransaction({
          to: tx.to,
          ...(tx.data ? { data: tx.data } : {}),
          ...(tx.value ? { value: hexToBigInt(tx.value) } : {}),
          ...(tx.gas ? { gas: hexToBigInt(tx.gas) } : {}),
          ...(tx.nonce !== undefined ? { nonce: hexToNumber(tx.nonce) } : {}),
        });
      }
      case "eth_signTypedData_v4": {
        const raw = params[1];
        const typed = (typeof raw === "string" ? JSON.parse(raw) : raw) as {
          domain: Record<string, unknown>;
          types: Record<string, { name: string; type: string }[]>;
          primaryType: string;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _, ...types } = typed.types;
        return account.signTypedData({
          domain: typed.domain,
          types,
          primaryType: typed.primaryType,
          message: typed.message,
        } as Parameters<typeof account.signTypedData>[0]);
      }
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] as Hex } });
      default:
        return undefined;
    }
  };

  await context.exposeFunction(
    "__strataWallet",
    async (method: string, params: unknown[]): Promise<RpcReply> => {
      state.calls.push(method);
      try {
        const local = await handle(method, params ?? []);
        if (local !== undefined) return { result: local };
        return await forward(method, params ?? []);
      } catch (error) {
        const e = error as { code?: number; shortMessage?: string; message: string };
        return {
          error: { code: typeof e.code === "number" ? e.code : -32603, message: e.shortMessage ?? e.message },
        };
      }
    },
  );
  await context.addInitScript(() => {
    type Listener = (...args: unknown[]) => void;
    const listeners = new Map<string, Set<Listener>>();
    const bridge = (
      window as unknown as { __strataWallet(method: string, params: unknown[]): Promise<RpcReply> }
    ).__strataWallet;
    (window as unknown as { ethereum: unknown }).ethereum = {
      isStrataTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const reply = await bridge(method, params ?? []);
        if (reply.error) {
          throw Object.assign(new Error(reply.error.message), {
            code: reply.error.code,
            data: reply.error.data,
          });
        }
        return reply.result;
      },
      on(event: string, listener: Listener) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)?.add(listener);
      },
      removeListener(event: string, listener: Listener) {
        listeners.get(event)?.delete(listener);
      },
    };
  });
  return state;
}
