// Composes sets of subgraphs with the npm composers, for test_composition.py.
// Reads {"SET": [{name, url, sdl}, ...], ...} as JSON on standard input and writes
// {"SET": {"apollo": {supergraph, errors}, "guild": {supergraph, errors}}, ...}.
// A subgraph may carry a "guildSdl", the variant that the Guild's composer reads.
import { composeServices as composeApollo } from "@apollo/composition";
import { composeServices as composeGuild } from "@theguild/federation-composition";
import { parse } from "graphql";
import { readFileSync } from "node:fs";

const sets = JSON.parse(readFileSync(0, "utf8"));

function services(subgraphs, field) {
  return subgraphs.map((s) => ({
    name: s.name,
    url: s.url ?? undefined,
    typeDefs: parse(s[field] ?? s.sdl),
  }));
}

function outcome(compose, subgraphs, field) {
  let result;
  try {
    result = compose(services(subgraphs, field));
  } catch (error) {
    return { supergraph: null, errors: [String(error.message ?? error)] };
  }
  const errors = (result.errors ?? []).map((e) => e.message);
  return { supergraph: errors.length ? null : result.supergraphSdl, errors };
}

const results = {};
for (const [name, subgraphs] of Object.entries(sets)) {
  results[name] = {
    apollo: outcome(composeApollo, subgraphs, "sdl"),
    guild: outcome(composeGuild, subgraphs, "guildSdl"),
  };
}
process.stdout.write(JSON.stringify(results));
