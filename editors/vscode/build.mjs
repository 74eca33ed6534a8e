// Why this file exists: one place that bundles the extension with esbuild (VS Code loads a single
// CommonJS file, dist/extension.js, with vscode-languageclient inlined) and, with --tests, the unit
// tests into target/vscode-unit/ with `vscode` replaced by a stub so they run under plain node.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' };

if (process.argv.includes('--tests')) {
  await esbuild.build({
    ...common,
    entryPoints: [path.join(here, 'test/unit.test.ts')],
    outfile: path.join(root, 'target/vscode-unit/unit.test.js'),
    alias: { vscode: path.join(here, 'test/vscode-stub.ts') },
    sourcemap: 'inline',
  });
} else {
  await esbuild.build({
    ...common,
    entryPoints: [path.join(here, 'src/extension.ts')],
    outfile: path.join(root, 'dist/extension.js'),
    external: ['vscode'],
    minify: process.argv.includes('--minify'),
    sourcemap: false,
  });
}
