export { PayhilError, isPayhilError } from './payhil-error.js';
export type { Verdict } from './payhil-error.js';
export { packageRoot, packagePath } from './project-root.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { maskPan, maskPansInText, redact } from './mask.js';
