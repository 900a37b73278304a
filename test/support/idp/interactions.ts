import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interaction, Provider } from 'oidc-provider';
import { errorPage, loginPage } from './pages.js';
import { authenticate, type IdpUser } from './users.js';

const MAX_FORM_BYTES = 16 * 1024;

export const CANCEL_DESCRIPTION = 'The user cancelled the sign-in.';
export const WRONG_CREDENTIALS_MESSAGE = 'Invalid email or password.';

/**
 * Serves `/interaction/:uid`: the login form (GET), its submission (POST) and the consent prompt,
 * which is granted without asking so a person only ever sees the login form.
 */
export function createInteractionHandler(provider: Provider, users: readonly IdpUser[]) {
  return async function handleInteraction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
  ): Promise<void> {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) {
        throw new HttpError(400, 'interaction cookie does not match the URL');
      }

      if (req.method === 'GET' && details.prompt.name === 'consent') {
        const grantId = await grantEverythingRequested(provider, details);
        const result = { consent: { grantId } };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
      } else if (req.method === 'GET' && details.prompt.name === 'login') {
        await sendLoginPage(res, provider, details);
      } else if (req.method === 'POST' && details.prompt.name === 'login') {
        await submitLogin(req, res, provider, details, users);
      } else {
        throw new HttpError(400, `unexpected ${req.method} for prompt ${details.prompt.name}`);
      }
    } catch (error) {
      sendError(res, error);
    }
  };
}

async function submitLogin(
  req: IncomingMessage,
  res: ServerResponse,
  provider: Provider,
  details: Interaction,
  users: readonly IdpUser[],
): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    // The provider turns this into error=access_denied at the client's redirect URI.
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: CANCEL_DESCRIPTION },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const email = form.get('email') ?? '';
  const user = authenticate(users, email, form.get('password') ?? '');
  if (!user) {
    await sendLoginPage(res, provider, details, { email, error: WRONG_CREDENTIALS_MESSAGE });
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.sub } },
    { mergeWithLastSubmission: false },
  );
}

async function grantEverythingRequested(provider: Provider, details: Interaction): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new HttpError(400, 'consent prompt without a logged-in session');
  const grant =
    (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: String(details.params.client_id) });

  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes);
  }
  return grant.save();
}

async function sendLoginPage(
  res: ServerResponse,
  provider: Provider,
  details: Interaction,
  extra: { email?: string; error?: string } = {},
): Promise<void> {
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);
  sendHtml(
    res,
    200,
    loginPage({
      action: `/interaction/${details.uid}`,
      clientName: client?.clientName ?? clientId,
      ...extra,
    }),
  );
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = error as { statusCode?: number; error?: string; error_description?: string };
  const message = error instanceof Error ? error.message : String(error);
  sendHtml(
    res,
    e.statusCode ?? 500,
    errorPage({
      error: e.error ?? 'interaction_failed',
      error_description: e.error_description ?? message,
    }),
  );
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new HttpError(413, 'form too large');
  }
  return body;
}
