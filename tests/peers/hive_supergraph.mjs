// Loads supergraphs the way Hive Gateway does, for test_composition.py.
// Reads {"NAME": "supergraph SDL", ...} as JSON on standard input and writes
// {"NAME": {"schema": "the public schema, sorted", "error": null}, ...}.
import { getStitchedSchemaFromSupergraphSdl } from "@graphql-tools/federation";
import { lexicographicSortSchema, printSchema } from "graphql";
import { readFileSync } from "node:fs";

const supergraphs = JSON.parse(readFileSync(0, "utf8"));
const results = {};
for (const [name, supergraphSdl] of Object.entries(supergraphs)) {
  try {
    const schema = getStitchedSchemaFromSupergraphSdl({ supergraphSdl });
    results[name] = { schema: printSchema(lexicographicSortSchema(schema)), error: null };
  } catch (error) {
    results[name] = { schema: null, error: String(error.stack ?? error) };
  }
}
process.stdout.write(JSON.stringify(results));
