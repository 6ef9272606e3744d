import { packagePath } from '../common/project-root.js';

/**
 * The JSON Schema of each fixture folder: a file under `fixtures/<kind>/` is validated against it.
 * Folders not listed here (keys/) are only checked to be well-formed YAML.
 */
export const FIXTURE_SCHEMAS: Readonly<Record<string, readonly string[]>> = {
  cards: ['harness', 'cards', 'card.schema.json'],
  dialects: ['harness', 'iso8583', 'dialect.schema.json'],
  hosts: ['harness', 'host', 'host.schema.json'],
  terminals: ['harness', 'emulator', 'terminal.schema.json'],
  labs: ['harness', 'bench', 'lab.schema.json'],
  inventories: ['harness', 'lab', 'inventory.schema.json'],
};

/** The schema file for a fixture kind (folder name under fixtures/), or undefined when it has none. */
export function fixtureSchemaPath(kind: string): string | undefined {
  const parts = FIXTURE_SCHEMAS[kind];
  return parts ? packagePath(...parts) : undefined;
}

/** `fixtures/cards/x.yaml` → 'cards' (the folder right under the nearest `fixtures` segment), else undefined. */
export function fixtureKindOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const i = parts.lastIndexOf('fixtures');
  return i >= 0 && i < parts.length - 2 ? parts[i + 1] : undefined;
}
