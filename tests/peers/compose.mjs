// Composes subgraphs with the npm composers, for tests/peers/test_composition.py.
// Reads [{name, url, sdl}] as JSON on standard input and writes
// {"apollo": {supergraph, errors}, "guild": {supergraph, errors}} on standard output.
import { composeServices as composeApollo } from "@apollo/composition";
import { composeServices as composeGuild } from "@theguild/federation-composition";
import { parse } from "graphql";
import { readFileSync } from "node:fs";

const subgraphs = JSON.parse(readFileSync(0, "utf8"));
const services = () =>
  subgraphs.map((s) => ({ name: s.name, url: s.url ?? undefined, typeDefs: parse(s.sdl) }));

function outcome(result) {
  const errors = (result.errors ?? []).map((e) => e.message);
  return { supergraph: errors.length ? null : result.supergraphSdl, errors };
}

process.stdout.write(
  JSON.stringify({
    apollo: outcome(composeApollo(services())),
    guild: outcome(composeGuild(services())),
  }),
);
