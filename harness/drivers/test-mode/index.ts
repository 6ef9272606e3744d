// Curated public API of harness/drivers/test-mode: cards, keys and display of an emulated terminal
// through its ECR test-mode channel, for protocol benches (zvt, nexo).
export { TestModePresenter } from './test-mode-presenter.js';
export type { TestModeResource, TestModePresenterOptions } from './test-mode-presenter.js';
export { ApduTraceDriver } from './apdu-trace-driver.js';
