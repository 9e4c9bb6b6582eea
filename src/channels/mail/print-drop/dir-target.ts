/**
 * @module The `print_dir` drop: a local directory (a share the print house collects from, or a synced
 * folder). Renames are atomic within one file system, which is why files are written beside their
 * final names.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DropTarget } from './drop.js';

export function dirTarget(root: string): DropTarget {
  const at = (p: string) => path.join(root, p);
  return {
    location: root,
    async exists(p) {
      return fs.stat(at(p)).then(
        () => true,
        () => false,
      );
    },
    async mkdir(p) {
      await fs.mkdir(at(p), { recursive: true });
    },
    async write(p, data) {
      const handle = await fs.open(at(p), 'w');
      try {
        if (data instanceof Uint8Array) await handle.writeFile(data);
        else for await (const chunk of data) await handle.write(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async rename(from, to) {
      await fs.rename(at(from), at(to));
    },
    async close() {},
  };
}
