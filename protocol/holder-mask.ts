/** Number of holders in a holder bit mask (`attested`, `enrolled`, `dropped`), as BlobTerms.holdersIn counts them. */
export function holdersIn(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count += 1;
  return count;
}
