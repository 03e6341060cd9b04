// Builds the browser bundles that the Python package serves: the tracker (pageheat.js),
// its lazily loaded snapshot code (pageheat-snapshot.js) and session recorder
// (pageheat-replay.js), and the dashboard (dashboard.js). Prints the tracker's and the
// recorder's gzipped sizes against their budgets, and the snapshot code's size.
import { build } from "esbuild";
import { minify as swcMinify } from "@swc/core";
import UglifyJS from "uglify-js";
import { gzipSync } from "node:zlib";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const out = "src/pageheat/web/static";
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, target: ["es2019"], legalComments: "none", logLevel: "warning" };
// A property whose name ends in "_" is internal to one bundle (never a wire field, a
// dataset key or a config key): minified like a local name.
const tracker = { ...common, format: "iife", mangleProps: /_$/ };
// The tracker's bundle without its "use strict" prologue (tsconfig's strict implies it):
// 13 bytes, and nothing in it behaves differently in sloppy mode (tsc checks it strictly).
const core = { ...tracker, tsconfigRaw: { compilerOptions: { alwaysStrict: false } } };

// rrweb-snapshot's single-file build carries PostCSS (≈ 18 KB gzipped) for `rebuild`,
// which the snapshot code never calls, behind top-level statements that esbuild cannot
// drop. Cut it out; if a new version no longer matches, fail rather than ship it.
const POSTCSS = /^var import_postcss = [\s\S]*?^var postcss_default = import_postcss\.default;\n(?:import_postcss\.default\.\w+;\n)*/m;
const withoutPostcss = {
  name: "rrweb-snapshot-without-postcss",
  setup(b) {
    b.onLoad({ filter: /rrweb-snapshot[\\/]dist[\\/]rrweb-snapshot\.js$/ }, ({ path }) => {
      const src = readFileSync(path, "utf8");
      if (!POSTCSS.test(src)) throw new Error(`${path}: PostCSS block not found (rrweb-snapshot changed?)`);
      return { contents: src.replace(POSTCSS, "var postcss_default;\n"), loader: "js" };
    });
  },
};

// rrweb's single-file build (rrweb.js: recorder, replayer, rrdom and rrweb-snapshot in one)
// carries PostCSS twice (rrweb-snapshot's copy for `rebuild`, rrdom's), for replaying
// only: the recorder never calls it. The same cut as above, on both copies; if a new
// version no longer matches, fail rather than ship them (≈ 37 KB gzipped).
const RRWEB_POSTCSS = [
  [/^var import_postcss\$1 = [\s\S]*?^var postcss_default = import_postcss\$1\.default;\n(?:import_postcss\$1\.default\.\w+;\n)*/m, "var postcss_default;\n"],
  [/^var import_postcss = [\s\S]*?^\}\)\)\)\(\), 1\);\n(?:import_postcss\.default(?:\.\w+)?;\n)+/m, ""],
];
const recorderWithoutPostcss = {
  name: "rrweb-without-postcss",
  setup(b) {
    b.onLoad({ filter: /rrweb[\\/]dist[\\/]rrweb\.js$/ }, ({ path }) => {
      let src = readFileSync(path, "utf8");
      for (const [block, instead] of RRWEB_POSTCSS) {
        if (!block.test(src)) throw new Error(`${path}: a PostCSS block was not found (rrweb changed?)`);
        src = src.replace(block, instead);
      }
      return { contents: src, loader: "js" };
    });
  },
};

// esbuild bundles and mangles the internal names; swc and then UglifyJS minify again.
// Each finds what the others leave (swc's compression passes, UglifyJS's name reuse
// and statement merging), twice: ≈ 300 bytes off the gzipped tracker against esbuild
// alone, ≈ 145 more than the terser pass this replaced: the margin the 6 KB budget needs.
const bundled = await build({ ...core, entryPoints: ["tracker/src/index.ts"], write: false });
const squeezed = { code: bundled.outputFiles[0].text };
for (let round = 0; round < 2; round++) {  // a second round takes ≈ 13 bytes more; a third, none
  const swcd = await swcMinify(squeezed.code, { compress: { passes: 3 }, mangle: true, ecma: 2019 });
  // module: false: a classic script, not strict mode, no top-level scope of its own
  const ugly = UglifyJS.minify(swcd.code, { module: false, compress: { passes: 3 }, output: { comments: false } });
  if (ugly.error) throw ugly.error;
  squeezed.code = ugly.code;
}
writeFileSync(`${out}/pageheat.js`, squeezed.code);
await build({
  ...tracker,
  entryPoints: ["tracker/src/snapshot/entry.ts"],
  outfile: `${out}/pageheat-snapshot.js`,
  plugins: [withoutPostcss],
});
await build({
  ...tracker,
  entryPoints: ["tracker/src/replay/entry.ts"],
  outfile: `${out}/pageheat-replay.js`,
  plugins: [recorderWithoutPostcss],
});
// The replay player: rrweb's Replayer (with its PostCSS, which rebuilding recorded CSS
// uses), loaded by the dashboard's replay page only; rrweb's stylesheet beside it.
await build({ ...common, entryPoints: ["dashboard/src/player/entry.ts"], outfile: `${out}/pageheat-player.js`, format: "iife", target: ["es2020"] });
writeFileSync(`${out}/pageheat-player.css`, readFileSync("node_modules/rrweb/dist/style.css"));
await build({ ...common, entryPoints: ["dashboard/src/main.ts"], outfile: `${out}/dashboard.js`, format: "iife", target: ["es2020"] });

const size = (name) => {
  const js = readFileSync(`${out}/${name}`);
  return [js.length, gzipSync(js, { level: 9 }).length];
};
const [raw, gz] = size("pageheat.js");
const budget = 6144;
console.log(`tracker: ${raw} bytes, ${gz} bytes gzipped (budget ${budget})`);
const [snapRaw, snapGz] = size("pageheat-snapshot.js");
console.log(`snapshot (loaded on demand): ${snapRaw} bytes, ${snapGz} bytes gzipped`);
// The recorder's budget: rrweb 2.2.2's `record` without PostCSS is ≈ 24.8 KB gzipped
// and pageheat's own part under 1 KB; 26 KB leaves room for rrweb's patch releases and
// fails a change that pulls the replayer, rrdom or PostCSS back in (each ≥ 10 KB). It is
// fetched only by recorded sessions, once an hour at most (Cache-Control), after the page
// has loaded and its first batch was answered: the page's own load never waits for it.
const [recRaw, recGz] = size("pageheat-replay.js");
const recBudget = 26_624;
console.log(`replay recorder (recorded sessions only): ${recRaw} bytes, ${recGz} bytes gzipped (budget ${recBudget})`);
const [playRaw, playGz] = size("pageheat-player.js");
console.log(`replay player (dashboard's replay page only): ${playRaw} bytes, ${playGz} bytes gzipped`);
if (gz > budget) {
  console.error("tracker is over its gzipped size budget");
  process.exit(1);
}
if (recGz > recBudget) {
  console.error("replay recorder is over its gzipped size budget");
  process.exit(1);
}
