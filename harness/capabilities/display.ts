/** The terminal display. Changes are observed on the timeline; this reads the current text. */
export interface Display {
  /** The lines shown now, joined with a newline. */
  text(): Promise<string>;
}
