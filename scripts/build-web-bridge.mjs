// Builds the web host's page-side bridge (src/webhost/bridge) into out/webhost.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/webhost/bridge/bridge.ts'],
  outfile: 'out/webhost/bridge.js',
  bundle: true,
  format: 'iife',
  target: 'es2022',
  platform: 'browser',
  minify: false,
  sourcemap: true,
  logLevel: 'warning',
});
