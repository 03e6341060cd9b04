// Builds the browser bundles that the Python package serves: the tracker (pageheat.js)
// and the dashboard (dashboard.js). Prints the tracker's gzipped size against its budget.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { readFileSync, mkdirSync } from "node:fs";

const out = "src/pageheat/web/static";
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, target: ["es2019"], legalComments: "none", logLevel: "warning" };

await build({ ...common, entryPoints: ["tracker/src/index.ts"], outfile: `${out}/pageheat.js`, format: "iife" });
await build({ ...common, entryPoints: ["dashboard/src/main.ts"], outfile: `${out}/dashboard.js`, format: "iife", target: ["es2020"] });

const js = readFileSync(`${out}/pageheat.js`);
const gz = gzipSync(js, { level: 9 }).length;
const budget = 6144;
console.log(`tracker: ${js.length} bytes, ${gz} bytes gzipped (budget ${budget})`);
if (gz > budget) {
  console.error("tracker is over its gzipped size budget");
  process.exit(1);
}
