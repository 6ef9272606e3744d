export { PayhilError, isPayhilError } from './payhil-error.js';
export type { Verdict } from './payhil-error.js';
export { packageRoot, packagePath } from './project-root.js';
export { createLogger } from './logger.js';
export { waitWithin } from './wait-within.js';
export type { Logger } from './logger.js';
export { maskPan, maskPansInText, redact } from './mask.js';
export {
  LocatedError,
  formatDiagnostic,
  sortDiagnostics,
  hasErrors,
  didYouMean,
  editDistance,
  sourceLineOf,
} from './diagnostic.js';
export type { Diagnostic, SourcePos } from './diagnostic.js';
export { parseYamlText, readYamlFile, MAX_YAML_BYTES, MAX_ALIAS_COUNT } from './yaml-file.js';
export type { YamlDocument, YamlParseResult, YamlPath, YamlSpan } from './yaml-file.js';
export {
  validateWithSchema,
  loadYamlFixture,
  schemaErrors,
  readablePath,
  SchemaLoadError,
} from './schema-check.js';
export type { SchemaCheckOptions } from './schema-check.js';
export {
  matches,
  matchFields,
  checkMatcher,
  describeMatcher,
  regexOf,
  looksLikeRegex,
  MATCHER_OPERATORS,
} from './matcher.js';
export type { Matcher, MatcherObject, Scalar, FieldMismatch } from './matcher.js';
export { seededRandom } from './seeded-random.js';
export { Calendar, CalendarError, parseCalendarTime, parseCalendarStep } from './calendar.js';
export type { LocalTime } from './calendar.js';
export {
  MAX_SEED,
  freshSeed,
  isSeed,
  deriveSeed,
  scenarioSeed,
  seededStream,
  secureRandom,
  randomBytesOf,
} from './run-seed.js';
export { realClock, cancelTimer, sleepOn } from './clock.js';
export type { Clock, ClockTimer, TimerOptions } from './clock.js';
export { SimulatedClock } from './simulated-clock.js';
export type { SimulatedClockOptions, SimulatedClockStats } from './simulated-clock.js';
