// The OpenID provider the tests start: oidc-provider on 127.0.0.1 with one client and the
// accounts the tests write. Usage: node provider.mjs CONFIG.json
//
// CONFIG.json (written by tests/oidc/provider.py):
//   port          the port to listen on (the issuer is http://127.0.0.1:PORT)
//   client        client_id, client_secret, redirect_uris
//   scopes        {scope: [claim names it releases]}, e.g. {"groups": ["groups"]}
//   accounts_file a JSON object {login: {claim: value}}, read at every look-up, so a test
//                 changes an account's claims between two logins by rewriting it
//
// The login page is oidc-provider's development interaction: any password for a known login.
// Consent is given for the client at once, as a municipality's administrator does for its
// own applications.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

function accounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'));
}

async function findAccount(ctx, login) {
  const claims = accounts()[login];
  if (!claims) {
    return undefined;
  }
  return {
    accountId: login,
    async claims() {
      return { ...claims, sub: login };
    },
  };
}

async function loadExistingGrant(ctx) {
  const { client, session, params, provider } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(String(params.scope));
  await grant.save();
  return grant;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], ...config.scopes },
  scopes: ['openid', ...Object.keys(config.scopes)],
  findAccount,
  loadExistingGrant,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['overgang-test-provider'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
