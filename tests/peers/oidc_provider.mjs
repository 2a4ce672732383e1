// A real OpenID provider for the peer tests: oidc-provider on 127.0.0.1.
//
// Reads its configuration as JSON from the OIDC_PROVIDER_CONFIG environment
// variable: { "keys": [private JWKs], "resource": "urn:...", "clients": { id:
// { "secret", "audience", "alg", "claims" } } }. Listens on a free port, then prints
// one JSON line { "issuer": "http://127.0.0.1:PORT" } on standard output. Each
// client obtains, by the client credentials grant, a JWT access token signed with
// its algorithm for its audience, carrying its synthetic person's claims.
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_PROVIDER_CONFIG);
const clients = config.clients;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: config.keys },
    clients: Object.entries(clients).map(([id, client]) => ({
      client_id: id,
      client_secret: client.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'citizen',
    })),
    scopes: ['citizen'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => config.resource,
        getResourceServerInfo: (_ctx, _resource, client) => ({
          scope: 'citizen',
          audience: clients[client.clientId].audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: clients[client.clientId].alg } },
        }),
      },
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          Object.assign(jwt.payload, clients[token.clientId].claims);
        },
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
