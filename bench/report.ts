/** One benchmark figure: a value, the baseline it is compared with, and the target ratio. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
  /** The ratio value/baseline must be at least `min` or at most `max`. */
  min?: number;
  max?: number;
}

/** Prints figures as an aligned table and returns whether every target is met. */
export function report(title: string, figures: Figure[]): boolean {
  console.log(`\n${title}`);
  let ok = true;
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) {
    const ratio = f.value / f.baseline;
    const met = (f.min === undefined || ratio >= f.min) && (f.max === undefined || ratio <= f.max);
    ok &&= met;
    const bound = (value: number) => Number(value.toPrecision(5));
    const target =
      f.min !== undefined ? `>= ${bound(f.min)}` : f.max !== undefined ? `<= ${bound(f.max)}` : "";
    console.log(
      `  ${f.name.padEnd(width)}  ${format(f.value)} ${f.unit}  vs ${f.baselineName} ${format(f.baseline)}  ratio ${ratio.toFixed(3)}${target ? `  target ${target} ${met ? "met" : "MISSED"}` : ""}`,
    );
  }
  return ok;
}

function format(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  // small fractions keep four significant digits, the rest two decimals
  return Math.abs(value) < 1 ? String(Number(value.toPrecision(4))) : value.toFixed(2);
}
