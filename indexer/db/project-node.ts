import type { NodeStatements } from "./node-statements.ts";
import { addAmount, type EventArgs, type ProjectedEvent } from "./projected-event.ts";

type NodeMoney = { slashed: string; claimed: string };
const NO_MONEY: NodeMoney = { slashed: "0", claimed: "0" };

/** Applies an event to its node's row. */
export function projectNode(s: NodeStatements, event: ProjectedEvent): void {
  const a = event.args as EventArgs;
  const id = event.nodeId as number;
  const block = Number(event.blockNumber);
  switch (event.name) {
    case "NodeRegistered":
      s.insertNode.run({ node_id: id, ...nodeFields(a), block });
      break;
    case "NodeUpdated":
      s.updateNodeFields.run({ node_id: id, ...nodeFields(a), block });
      break;
    case "NodeStaked":
      s.setStake.run({ node_id: id, stake: String(a.total), block });
      break;
    case "UnstakeRequested":
      s.setUnbonding.run({ node_id: id, unbonding_at: Number(a.availableAt), block });
      break;
    case "StakeWithdrawn":
      s.setWithdrawn.run({ node_id: id, block });
      break;
    case "NodeSlashed": {
      const { slashed } = (s.nodeMoney.get(id) as NodeMoney | undefined) ?? NO_MONEY;
      const { count } = s.earlierSharesOfSlash.get({
        node_id: id,
        tx_hash: event.txHash,
        log_index: event.logIndex,
      }) as { count: number };
      s.addSlash.run({
        node_id: id,
        stake: String(a.remaining),
        slashed: addAmount(slashed, a.amount),
        slashes: count === 0 ? 1 : 0,
        block,
      });
      break;
    }
    case "NodeJailed":
      s.setJailed.run({ node_id: id, block });
      break;
    case "NodeDropped":
      s.setDropped.run({ node_id: id, period: a.period, block });
      break;
    case "ProofSubmitted":
      s.addProof.run({ node_id: id, period: a.period, block });
      break;
    case "ProofMissed":
      s.addMiss.run({ node_id: id, misses: a.missesInRow, block });
      break;
    case "PaymentClaimed": {
      const { claimed } = (s.nodeMoney.get(id) as NodeMoney | undefined) ?? NO_MONEY;
      s.addClaim.run({ node_id: id, claimed: addAmount(claimed, a.amount), block });
      break;
    }
    default:
      break;
  }
}

function nodeFields(a: EventArgs) {
  return {
    operator: a.operator,
    signer: a.signer,
    endpoint: a.endpoint,
    peer_id: a.peerId,
    multiaddrs: JSON.stringify(a.multiaddrs ?? []),
    tiers: a.tiers,
    capacity: String(a.capacity),
    price: String(a.pricePerByteEpoch),
  };
}
