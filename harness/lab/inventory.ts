/**
 * The lab inventory: benches read from one inventory file or a folder of them, each with how it is built,
 * its capabilities, tags and devices, and its pool (one BullMQ queue per pool of interchangeable
 * benches). A bench named twice, in one file or across the folder, is refused with both places.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadYamlFixture } from '../common/schema-check.js';
import { packagePath } from '../common/project-root.js';
import { createBenchOf, type BenchSpec } from './bench-spec.js';
import { LabError } from './errors.js';

export const INVENTORY_SCHEMA = packagePath('harness', 'lab', 'inventory.schema.json');

/** A device a bench holds (for the status listing and the health check). */
export interface LabDevice {
  kind: 'terminal' | 'reader' | 'mux' | 'card' | 'host-link' | 'robot' | 'other';
  id: string;
  note?: string;
}

interface InventoryFile {
  lab: string;
  description?: string;
  benches: {
    name: string;
    description?: string;
    labFile?: string;
    labBench?: string;
    terminal?: string;
    pool?: string;
    capabilities?: string[];
    tags?: Record<string, string>;
    devices?: LabDevice[];
  }[];
}

/** One bench of the lab. */
export interface LabBench {
  name: string;
  lab: string;
  /** Inventory file it comes from. */
  file: string;
  description?: string;
  spec: BenchSpec;
  pool: string;
  capabilities: string[];
  tags: Record<string, string>;
  devices: LabDevice[];
}

function inventoryFiles(path: string): string[] {
  if (!existsSync(path)) throw new LabError('E_LAB_INVENTORY', `lab inventory ${path} not found`);
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0)
    throw new LabError('E_LAB_INVENTORY', `lab inventory folder ${path} has no YAML file`);
  return files;
}

/** Default pool: benches with the same capabilities and tags are interchangeable. */
function defaultPool(capabilities: readonly string[], tags: Record<string, string>): string {
  const key = JSON.stringify([[...capabilities].sort(), Object.entries(tags).sort()]);
  return `pool-${createHash('sha1').update(key).digest('hex').slice(0, 10)}`;
}

/** Loads the benches of an inventory file or folder; LabError (usage) on any problem. */
export function loadInventory(path: string, cwd = process.cwd()): LabBench[] {
  const benches: LabBench[] = [];
  const seen = new Map<string, string>();
  for (const file of inventoryFiles(resolve(cwd, path))) {
    const inv = loadYamlFixture<InventoryFile>(file, INVENTORY_SCHEMA);
    inv.benches.forEach((b, i) => {
      const where = `${file}: benches[${i}]`;
      const before = seen.get(b.name);
      if (before !== undefined)
        throw new LabError(
          'E_LAB_DUPLICATE_BENCH',
          `${where}: bench '${b.name}' is already defined at ${before}`,
        );
      seen.set(b.name, where);
      if (b.labFile === undefined && b.labBench !== undefined)
        throw new LabError('E_LAB_INVENTORY', `${where}: labBench needs labFile`);
      const spec: BenchSpec =
        b.labFile !== undefined
          ? {
              kind: 'lab',
              file: resolve(dirname(file), b.labFile),
              ...(b.labBench ? { bench: b.labBench } : {}),
            }
          : { kind: 'embedded', name: b.name, ...(b.terminal ? { terminal: b.terminal } : {}) };
      if (spec.kind === 'lab' && !existsSync(spec.file))
        throw new LabError('E_LAB_INVENTORY', `${where}: lab file ${b.labFile} not found`);
      let capabilities = b.capabilities;
      if (!capabilities) {
        try {
          capabilities = [...createBenchOf(spec).offers];
        } catch (e) {
          throw new LabError('E_LAB_INVENTORY', `${where}: ${(e as Error).message}`);
        }
      }
      const tags = b.tags ?? {};
      benches.push({
        name: b.name,
        lab: inv.lab,
        file,
        ...(b.description ? { description: b.description } : {}),
        spec,
        pool: b.pool ?? defaultPool(capabilities, tags),
        capabilities: [...capabilities].sort(),
        tags,
        devices: b.devices ?? [],
      });
    });
  }
  return benches;
}

/** True when the bench has every tag filter: `key=value` (that tag) or `value` (any tag with it). */
export function matchesTags(tags: Record<string, string>, filters: readonly string[]): boolean {
  return filters.every((f) => {
    const i = f.indexOf('=');
    if (i > 0) return tags[f.slice(0, i)] === f.slice(i + 1);
    return Object.values(tags).includes(f);
  });
}
