// Names the built browser files by their content and compresses them, so the server
// can send them with a year's cache lifetime and in the encoding the browser asks for.
// Usage: node scripts/assets.mjs <from-dir> <to-dir> file...
// Writes <to-dir>/<stem>.<hash><ext>, its .br (quality 11) and .gz (level 9), and
// manifest.json mapping each file's plain name to its hashed one.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [from, to, ...files] = process.argv.slice(2);
mkdirSync(to, { recursive: true });
for (const old of readdirSync(to)) rmSync(join(to, old), { recursive: true, force: true });
const manifest = {};
for (const file of files) {
  const bytes = readFileSync(join(from, file));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const ext = extname(file);
  const named = `${basename(file, ext)}.${hash}${ext}`;
  writeFileSync(join(to, named), bytes);
  writeFileSync(join(to, `${named}.br`), brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }));
  writeFileSync(join(to, `${named}.gz`), gzipSync(bytes, { level: 9 }));
  manifest[file] = named;
}
writeFileSync(join(to, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
