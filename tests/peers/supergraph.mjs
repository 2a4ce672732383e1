// Composes subgraph SDLs into a join-spec supergraph with @theguild/federation-composition.
//
// Input on stdin: a JSON array of {"name": ..., "url": ..., "sdl": ...} objects.
// Output: the supergraph SDL on stdout and exit code 0, or one composition error per
// line on stderr and exit code 1 (2 when the input itself is unreadable).
import { composeServices } from "@theguild/federation-composition";
import { parse, print } from "graphql";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function services(text) {
  const entries = JSON.parse(text);
  if (!Array.isArray(entries)) {
    throw new Error("The input must be a JSON array of subgraphs.");
  }
  return entries.map((entry) => ({
    name: entry.name,
    url: entry.url ?? undefined,
    typeDefs: parse(entry.sdl),
  }));
}

let definitions;
try {
  definitions = services(await readStdin());
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

const result = composeServices(definitions);
if (result.errors) {
  for (const error of result.errors) {
    process.stderr.write(`${error.message}\n`);
  }
  process.exit(1);
}
process.stdout.write(`${print(parse(result.supergraphSdl))}\n`);
