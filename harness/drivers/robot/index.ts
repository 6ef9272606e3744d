// Curated public API of harness/drivers/robot: the HTTP robot arm driver (GRANT-style GET /arm/…) and
// the simulated robot of `payhil mux-sim`.
export { RobotError } from './errors.js';
export { HttpRobotDriver, parseStatus, ROBOT_MAX_BODY } from './http-robot-driver.js';
export type { HttpRobotOptions } from './http-robot-driver.js';
export { RobotCardPresenter } from './robot-card-presenter.js';
export type { RobotCardPresenterOptions } from './robot-card-presenter.js';
