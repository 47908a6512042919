// A module hook for actions.mjs: @actions/workflow-parser imports its JSON
// schemas without the `type: "json"` attribute that Node requires.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) {
    return nextLoad(url, { ...context, importAttributes: { type: "json" } });
  }
  return nextLoad(url, context);
}
