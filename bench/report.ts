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
    const target = f.min !== undefined ? `>= ${f.min}` : f.max !== undefined ? `<= ${f.max}` : "";
    console.log(
      `  ${f.name.padEnd(width)}  ${format(f.value)} ${f.unit}  vs ${f.baselineName} ${format(f.baseline)}  ratio ${ratio.toFixed(3)}${target ? `  target ${target} ${met ? "met" : "MISSED"}` : ""}`,
    );
  }
  return ok;
}

function format(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(2);
}
