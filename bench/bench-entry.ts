/** One benchmark of `npm run bench`. */
export interface BenchEntry {
  readonly name: string;
  /** Runs the benchmark and returns its report as Markdown. */
  run(): Promise<string>;
}
