// Runs the GraphQL-over-HTTP audit suite of graphql-http against a server and
// prints one JSON line: every audit's id, name, status and reason.
import { serverAudits } from "graphql-http";

const url = process.argv[2];
const audits = serverAudits({ url, fetchFn: fetch });
const results = [];
for (const audit of audits) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === "ok" ? null : result.reason,
  });
}
process.stdout.write(JSON.stringify(results) + "\n");
