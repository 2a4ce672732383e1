// Runs one GraphQL operation through Apollo Client 4 and its persisted-queries
// link, twice, as two browsers would: each with a client of its own. It prints one
// JSON object: the HTTP requests the link sent (method, whether the full query
// went along, the hash, the error codes of the answer) and the data of each run.
//
//   node apollo_apq.mjs URL OPTIONS_JSON
//
// OPTIONS_JSON: {"query": "...", "variables": {...}, "headers": {...},
//                "useGETForHashedQueries": false, "runs": 2}

import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, optionsJson = "{}"] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const requests = [];

function sha256(text) {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function requestParams(input, init) {
  const target = new URL(typeof input === "string" ? input : input.url);
  if ((init?.method ?? "GET").toUpperCase() === "GET") {
    const params = Object.fromEntries(target.searchParams);
    if (params.extensions) params.extensions = JSON.parse(params.extensions);
    return params;
  }
  return JSON.parse(init.body);
}

// Records what each request carried and how the server answered it.
async function recordingFetch(input, init) {
  const params = requestParams(input, init);
  const response = await fetch(input, init);
  const body = await response.clone().json();
  requests.push({
    method: (init?.method ?? "GET").toUpperCase(),
    hasQuery: typeof params.query === "string" && params.query.length > 0,
    sha256: params.extensions?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
    errorCodes: (body.errors ?? []).map((error) => error.extensions?.code ?? null),
  });
  return response;
}

function client() {
  const persisted = new PersistedQueryLink({
    sha256,
    useGETForHashedQueries: Boolean(options.useGETForHashedQueries),
  });
  const http = new HttpLink({ uri: url, fetch: recordingFetch, headers: options.headers ?? {} });
  return new ApolloClient({
    link: ApolloLink.from([persisted, http]),
    cache: new InMemoryCache(),
  });
}

const results = [];
for (let run = 0; run < (options.runs ?? 2); run += 1) {
  const result = await client().query({
    query: gql(options.query),
    variables: options.variables ?? {},
    fetchPolicy: "network-only",
    errorPolicy: "all",
  });
  results.push({
    data: result.data ?? null,
    error: result.error ? String(result.error.message) : null,
  });
}

process.stdout.write(JSON.stringify({ requests, results }) + "\n");
