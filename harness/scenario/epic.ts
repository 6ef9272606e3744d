import type { Scenario } from './scenario.js';

/** Folder of a scenario id (`purchase/chip-pin-approved` → `purchase`): its Allure epic and JUnit suite. */
export function epicOf(s: Scenario): string {
  const i = s.baseId.indexOf('/');
  return i > 0 ? s.baseId.slice(0, i) : 'scenarios';
}
