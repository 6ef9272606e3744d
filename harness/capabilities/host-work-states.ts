/**
 * Terminal states with host work in flight (an authorisation, its completion or reversal, sign-in,
 * settlement): a bench keeps an inserted card in until the terminal leaves them, as a cardholder waits
 * for the answer before taking the card.
 */
export const HOST_WORK_STATES: ReadonlySet<string> = new Set([
  'online',
  'completion',
  'reversal',
  'signingIn',
  'settling',
]);
