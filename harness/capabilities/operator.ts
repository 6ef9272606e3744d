/** A person at the bench. */
export interface Operator {
  /** Shows `prompt`; resolves with the answer (true for confirm/yes, the text for text). */
  ask(prompt: string, input: 'confirm' | 'yesno' | 'text'): Promise<string | boolean>;
}
